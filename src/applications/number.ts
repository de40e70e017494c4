import crypto from 'node:crypto';

/**
 * Application numbers: known only to the parent and used for the public lookup, so they must not be
 * guessable or enumerable. 9 random characters from an alphabet without look-alikes (no 0/O, 1/I/L,
 * U) — 30⁹ ≈ 2·10¹³ numbers — and a Luhn mod 30 check character that catches any one mistyped
 * character and any swap of two neighbours.
 */
export const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const N = ALPHABET.length;
export const NUMBER_LENGTH = 10;

function checkChar(body: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = body.length - 1; i >= 0; i--) {
    let addend = factor * ALPHABET.indexOf(body[i]!);
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / N) + (addend % N);
    sum += addend;
  }
  return ALPHABET[(N - (sum % N)) % N]!;
}

export function newApplicationNumber(): string {
  let body = '';
  for (let i = 0; i < NUMBER_LENGTH - 1; i++) body += ALPHABET[crypto.randomInt(N)];
  return body + checkChar(body);
}

/** As typed by a person: upper case, without spaces and dashes. */
export function normaliseApplicationNumber(s: string): string {
  return s.toUpperCase().replace(/[\s-]/g, '');
}

export function validApplicationNumber(s: string): boolean {
  if (s.length !== NUMBER_LENGTH) return false;
  for (const ch of s) if (!ALPHABET.includes(ch)) return false;
  return checkChar(s.slice(0, -1)) === s.slice(-1);
}
