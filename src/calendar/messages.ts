import { defineMessages } from '../web/i18n/define.ts';

/** The working-day calendar's texts (the operator's calendar page and its API errors). */
export const messages = defineMessages(
  {
    'calendar.invalid_date': '«{value}» — қате күн. Күнді ЖЖЖЖ-АА-КК түрінде жазыңыз, мысалы 2026-03-23.',
    'calendar.invalid_year': '{value} — қате жыл. 2000 мен 2100 аралығындағы жылды көрсетіңіз.',
    'calendar.already_plain': '{day} күні онсыз да жалпы ереже бойынша: дүйсенбі–жұма жұмыс күні, сенбі мен жексенбі демалыс.',
    'calendar.working_needs_weekend': '{day} — жұмыс күні онсыз да. Жұмыс күні етіп тек сенбі мен жексенбіні ауыстыруға болады.',
    'calendar.day_off_needs_weekday': '{day} — демалыс күні онсыз да. Демалыс күнін тек жұмыс күніне ауыстыруға болады.',
    'calendar.default_name.holiday': 'Мереке күні',
    'calendar.default_name.day_off': 'Демалыс күні',
    'calendar.default_name.working': 'Жұмыс күні',
  },
  {
    'calendar.invalid_date': '«{value}» — неверная дата. Укажите дату в виде ГГГГ-ММ-ДД, например 2026-03-23.',
    'calendar.invalid_year': '{value} — неверный год. Укажите год от 2000 до 2100.',
    'calendar.already_plain': 'День {day} и так по общему правилу: понедельник–пятница рабочие, суббота и воскресенье выходные.',
    'calendar.working_needs_weekend': '{day} и так рабочий день. Рабочим можно сделать только субботу или воскресенье.',
    'calendar.day_off_needs_weekday': '{day} и так выходной. Выходной можно перенести только на рабочий день.',
    'calendar.default_name.holiday': 'Праздничный день',
    'calendar.default_name.day_off': 'Выходной день',
    'calendar.default_name.working': 'Рабочий день',
  },
  {
    'calendar.invalid_date': '“{value}” is not a valid date. Write it as YYYY-MM-DD, e.g. 2026-03-23.',
    'calendar.invalid_year': '{value} is not a valid year. Give a year from 2000 to 2100.',
    'calendar.already_plain': '{day} already follows the plain rule: Monday to Friday are working days, Saturday and Sunday are days off.',
    'calendar.working_needs_weekend': '{day} is a working day already. Only a Saturday or Sunday can be made a working day.',
    'calendar.day_off_needs_weekday': '{day} is a day off already. A day off can only be moved to a working day.',
    'calendar.default_name.holiday': 'Public holiday',
    'calendar.default_name.day_off': 'Day off',
    'calendar.default_name.working': 'Working day',
  },
);
