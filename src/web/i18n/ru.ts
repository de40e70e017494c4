import type { Catalog } from './kk.ts';

export const ru: Catalog = {
  'app.name': 'Кезек',
  'app.tagline': 'Электронная очередь в детский сад',
  'error.not_found': 'Запрошенный объект не найден.',
  'error.forbidden': 'У вас нет права на это действие.',
  'error.unauthenticated': 'Сначала войдите в систему.',
  'error.csrf': 'Страница устарела. Обновите её и попробуйте ещё раз.',
  'error.validation': 'Данные заполнены неверно: {details}',
  'error.internal': 'Внутренняя ошибка. Попробуйте позже.',
  'error.rate_limited': 'Слишком много запросов. Подождите немного и повторите.',
};
