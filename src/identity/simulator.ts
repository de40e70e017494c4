import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { IdentityAnswer, IdentityCheck } from './port.ts';

/** Who a number belongs to and an IIN's numbers, as a register would know them. */
export interface SimulatedRegister {
  phonesOf(iin: string): Promise<readonly string[] | null>;
  iinOf(phone: string): Promise<string | null>;
}

/** A register from a fixed list (tests): IIN → its mobile numbers. */
export function listRegister(entries: Record<string, readonly string[]>): SimulatedRegister {
  const byPhone = new Map<string, string>();
  for (const [iin, phones] of Object.entries(entries)) for (const p of phones) byPhone.set(p, iin);
  return {
    phonesOf: async (iin) => entries[iin] ?? null,
    iinOf: async (phone) => byPhone.get(phone) ?? null,
  };
}

/** The demo's register: the city's parents and their phones on file (read at each question). */
export function parentsRegister(db: Kysely<DB>): SimulatedRegister {
  return {
    phonesOf: async (iin) => {
      const p = await db.selectFrom('parents').select(['phone1', 'phone2']).where('iin', '=', iin).executeTakeFirst();
      return p ? [p.phone1, ...(p.phone2 ? [p.phone2] : [])] : null;
    },
    iinOf: async (phone) => (await db.selectFrom('parents').select('iin').where((eb) => eb.or([eb('phone1', '=', phone), eb('phone2', '=', phone)])).limit(1).executeTakeFirst())?.iin ?? null,
  };
}

/**
 * The local stand-in for a mobile-number register (tests and the demo; never production). Its rule,
 * deterministic (docs/IDENTITY.md):
 * 1. an IIN the register knows: 'yes' for one of its numbers, 'no' for any other;
 * 2. a number the register knows under another IIN: 'no';
 * 3. anything else, by the number's last two digits: …00 'unknown' (the register does not know it),
 *    …98 the register does not answer (throws: "unavailable"), …99 'no' (someone else's number
 *    outside the city), any other 'yes' (a number in the parent's name).
 */
export class IdentitySimulator implements IdentityCheck {
  readonly name = 'simulator';
  /** Every question asked, for tests (phone, iin, answer). */
  readonly asked: { phone: string; iin: string; answer: IdentityAnswer | 'unavailable' }[] = [];

  constructor(private readonly register: SimulatedRegister = listRegister({})) {}

  async phoneBelongsTo(phone: string, iin: string): Promise<IdentityAnswer> {
    const answer = await this.decide(phone, iin);
    this.asked.push({ phone, iin, answer });
    if (answer === 'unavailable') throw new Error('identity simulator: the register does not answer (a number ending in 98)');
    return answer;
  }

  private async decide(phone: string, iin: string): Promise<IdentityAnswer | 'unavailable'> {
    const phones = await this.register.phonesOf(iin);
    if (phones) return phones.includes(phone) ? 'yes' : 'no';
    const owner = await this.register.iinOf(phone);
    if (owner !== null) return owner === iin ? 'yes' : 'no';
    const tail = phone.slice(-2);
    return tail === '00' ? 'unknown' : tail === '98' ? 'unavailable' : tail === '99' ? 'no' : 'yes';
  }
}
