import { defineMessages } from '../web/i18n/define.ts';

export const messages = defineMessages(
  {
    'demo.production_refused': 'Сағатты тек демо режимде жылжытуға болады. Жұмыс режимінде уақыт нақты сағатпен жүреді.',
    'demo.bad_spec': '«{spec}» түсініксіз. Мысалы: 1wd (1 жұмыс күні), 3d (3 күн), 2h (2 сағат), 30m (30 минут).',
    'demo.bad_instant': '«{value}» уақыт ретінде танылмады. Мысалы: 2026-04-01T09:00:00+05:00.',
    'demo.one_action': 'Бір әрекетті ғана көрсетіңіз: advance, set немесе reset.',
    'demo.not_empty': 'Дерекқор бос емес: демо қала тек бос дерекқорға жасалады.',
  },
  {
    'demo.production_refused': 'Переводить часы можно только в демо-режиме. В рабочем режиме время идёт по настоящим часам.',
    'demo.bad_spec': '«{spec}» не распознано. Например: 1wd (1 рабочий день), 3d (3 дня), 2h (2 часа), 30m (30 минут).',
    'demo.bad_instant': '«{value}» не распознано как момент времени. Например: 2026-04-01T09:00:00+05:00.',
    'demo.one_action': 'Укажите одно действие: advance, set или reset.',
    'demo.not_empty': 'База данных не пуста: демо-город создаётся только в пустой базе.',
  },
  {
    'demo.production_refused': 'The clock can be moved only in demo mode. In production the time is the real clock.',
    'demo.bad_spec': '"{spec}" is not understood. Examples: 1wd (1 working day), 3d (3 days), 2h (2 hours), 30m (30 minutes).',
    'demo.bad_instant': '"{value}" is not a point in time. Example: 2026-04-01T09:00:00+05:00.',
    'demo.one_action': 'Give exactly one action: advance, set or reset.',
    'demo.not_empty': 'The database is not empty: the demo city is created only in an empty database.',
  },
);
