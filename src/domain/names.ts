// A person's name as the application, the import and the staff forms accept it: letters of the
// Kazakh, Russian and Latin alphabets, with spaces, hyphens and apostrophes between them,
// normalised to NFC and trimmed. Nothing else: no right-to-left overrides, zero-width or
// combining-mark stacks, emoji, digits or markup (issue: names took anything).

/** Letters a Kazakh, Russian or Latin-alphabet name is written with (NFC forms). */
const LETTERS = 'A-Za-zА-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІіÀ-ÖØ-öø-ÿĀ-ſ';
const APOSTROPHES = "'’ʼ`";
const NAME = new RegExp(`^[${LETTERS}]+(?:[ \\-${APOSTROPHES}][${LETTERS}]+)*[${APOSTROPHES}]?$`, 'u');

export const NAME_MAX = 100;

export type NameProblem = 'empty' | 'too_long' | 'characters';

export type NameCheck = { ok: true; value: string } | { ok: false; problem: NameProblem };

/**
 * Check and normalise one name part (last, first or middle name): NFC, trimmed, inner runs of
 * white space folded to one space, then letters with single separators only.
 */
export function checkName(input: string): NameCheck {
  const value = input.normalize('NFC').trim().replace(/\s+/gu, ' ');
  if (value === '') return { ok: false, problem: 'empty' };
  if (value.length > NAME_MAX) return { ok: false, problem: 'too_long' };
  if (!NAME.test(value)) return { ok: false, problem: 'characters' };
  return { ok: true, value };
}

/** A person's full name as lists show it: last, first, middle (when there is one). */
export function fullName(p: { lastName: string; firstName: string; middleName: string | null }): string {
  return [p.lastName, p.firstName, p.middleName].filter(Boolean).join(' ');
}
