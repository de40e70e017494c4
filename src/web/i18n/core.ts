import { defineMessages } from './define.ts';

export const messages = defineMessages(
  {
    'app.name': 'Кезек',
    'app.tagline': 'Балабақшаға электрондық кезек',
    'error.not_found': 'Сұралған нысан табылмады.',
    'error.forbidden': 'Бұл әрекетке рұқсатыңыз жоқ.',
    'error.unauthenticated': 'Алдымен жүйеге кіріңіз.',
    'error.csrf': 'Парақтың мерзімі өтіп кетті. Парақты жаңартып, қайталап көріңіз.',
    'error.validation': 'Деректер қате толтырылған: {details}',
    'error.internal': 'Ішкі қате. Кейінірек қайталап көріңіз.',
    'error.rate_limited': 'Сұраныс тым көп. Біраз күтіп, қайталап көріңіз.',
  },
  {
    'app.name': 'Кезек',
    'app.tagline': 'Электронная очередь в детский сад',
    'error.not_found': 'Запрошенный объект не найден.',
    'error.forbidden': 'У вас нет права на это действие.',
    'error.unauthenticated': 'Сначала войдите в систему.',
    'error.csrf': 'Страница устарела. Обновите её и попробуйте ещё раз.',
    'error.validation': 'Данные заполнены неверно: {details}',
    'error.internal': 'Внутренняя ошибка. Попробуйте позже.',
    'error.rate_limited': 'Слишком много запросов. Подождите немного и повторите.',
  },
  {
    'app.name': 'Kezek',
    'app.tagline': 'Electronic kindergarten queue',
    'error.not_found': 'The requested item was not found.',
    'error.forbidden': 'You are not allowed to do this.',
    'error.unauthenticated': 'Please sign in first.',
    'error.csrf': 'This page has expired. Reload it and try again.',
    'error.validation': 'Some data is not valid: {details}',
    'error.internal': 'Internal error. Please try again later.',
    'error.rate_limited': 'Too many requests. Please wait a little and try again.',
  },
);
