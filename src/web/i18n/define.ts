/**
 * A feature's messages: the Kazakh text is the master; Russian and English must have exactly its
 * keys (a missing or extra key fails the type check). Parameters are written {name}.
 */
export interface Messages<K extends string> {
  kk: { readonly [P in K]: string };
  ru: { readonly [P in K]: string };
  en: { readonly [P in K]: string };
}

export function defineMessages<const K extends string>(
  kk: { readonly [P in K]: string },
  ru: { readonly [P in K]: string },
  en: { readonly [P in K]: string },
): Messages<K> {
  return { kk, ru, en };
}
