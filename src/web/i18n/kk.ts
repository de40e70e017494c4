/**
 * The master catalog (Kazakh). ru.ts and en.ts are typed against it: a key missing there fails the
 * type check. Words follow the parent leaflet's glossary (docs/GLOSSARY in ../shared/DOMAIN.md).
 * Parameters are written {name}.
 */
export const kk = {
  'app.name': 'Кезек',
  'app.tagline': 'Балабақшаға электрондық кезек',
  'error.not_found': 'Сұралған нысан табылмады.',
  'error.forbidden': 'Бұл әрекетке рұқсатыңыз жоқ.',
  'error.unauthenticated': 'Алдымен жүйеге кіріңіз.',
  'error.csrf': 'Парақтың мерзімі өтіп кетті. Парақты жаңартып, қайталап көріңіз.',
  'error.validation': 'Деректер қате толтырылған: {details}',
  'error.internal': 'Ішкі қате. Кейінірек қайталап көріңіз.',
  'error.rate_limited': 'Сұраныс тым көп. Біраз күтіп, қайталап көріңіз.',
} as const;

export type Catalog = { readonly [K in keyof typeof kk]: string };
