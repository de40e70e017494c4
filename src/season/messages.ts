import { defineMessages } from '../web/i18n/define.ts';

/** Groups across years, next season's groups, the 1 September turn and the enrolled children import. */
export const messages = defineMessages(
  {
    'season.group.birth_year_max': 'Соңғы туған жылы (аралас жастағы топ үшін)',
    'season.group.birth_year_max.hint': 'Бір жылдың балалары болса, бос қалдырыңыз.',
    'season.group.age_name': 'Жас тобы',
    'season.age.nursery': 'бөбекжай тобы',
    'season.age.junior': 'кіші топ',
    'season.age.middle': 'ортаңғы топ',
    'season.age.senior': 'ересек топ',
    'season.age.preschool': 'мектепалды даярлық тобы',
    'season.age.none': '—',
    'season.error.birth_year_max': 'Соңғы туған жылы {min} мен {max} аралығында болуы керек.',
  },
  {
    'season.group.birth_year_max': 'Последний год рождения (для разновозрастной группы)',
    'season.group.birth_year_max.hint': 'Оставьте пустым, если в группе дети одного года.',
    'season.group.age_name': 'Возрастная группа',
    'season.age.nursery': 'ясельная группа',
    'season.age.junior': 'младшая группа',
    'season.age.middle': 'средняя группа',
    'season.age.senior': 'старшая группа',
    'season.age.preschool': 'предшкольная группа',
    'season.age.none': '—',
    'season.error.birth_year_max': 'Последний год рождения должен быть от {min} до {max}.',
  },
  {
    'season.group.birth_year_max': 'Last birth year (for a mixed-age group)',
    'season.group.birth_year_max.hint': 'Leave empty when the group has children of one year.',
    'season.group.age_name': 'Age group',
    'season.age.nursery': 'nursery',
    'season.age.junior': 'junior group',
    'season.age.middle': 'middle group',
    'season.age.senior': 'senior group',
    'season.age.preschool': 'pre-school group',
    'season.age.none': '—',
    'season.error.birth_year_max': 'The last birth year must be from {min} to {max}.',
  },
);
