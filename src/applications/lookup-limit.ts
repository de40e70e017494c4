import { sql } from 'kysely';
import type { AppDeps } from '../context.ts';
import { toDate } from '../clock.ts';
import { AppError } from '../errors.ts';
import { checkIin } from '../domain/iin.ts';
import { iinError } from './iin-error.ts';
import { keys, lockIin } from '../auth/parent-signin.ts';

/**
 * The public lookup by a child's IIN, limited per address (issue 13): an IIN is a birth date, a
 * serial and a check digit, so a few thousand guesses find a child; an application number cannot be
 * guessed and is not limited. queueIinLookupsPerAddressPerHour (policy) lookups by IIN an hour from
 * one address. DB-backed (rows of parent_auth_attempts, kind 'queue_lookup', keyed by HMACs, pruned
 * after a day with the sign-in rows) rather than in memory: several processes may serve one city, and
 * an in-memory count would give an attacker each process's allowance; it is the same mechanism as the
 * one-time password limits. A malformed IIN is refused before it counts (it tells nothing).
 */
export async function limitIinLookup(deps: AppDeps, childIin: string, address: string): Promise<void> {
  const c = checkIin(childIin);
  if (!c.ok) throw iinError('childIin', c.problem);
  const policy = await deps.city.getPolicy();
  const k = await keys(deps, `child:${childIin}`, address);
  const now = deps.clock.now();
  const refused = await deps.database.db.transaction().execute(async (trx) => {
    await lockIin(trx, k.addressHmac);
    const n = await trx
      .selectFrom('parent_auth_attempts')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('address_hmac', '=', k.addressHmac)
      .where('kind', '=', 'queue_lookup')
      .where('at', '>', toDate(now.subtract({ hours: 1 })))
      .executeTakeFirstOrThrow();
    if (n.n >= policy.queueIinLookupsPerAddressPerHour) return true;
    await trx.insertInto('parent_auth_attempts').values({ kind: 'queue_lookup', iin_hmac: k.iinHmac, address_hmac: k.addressHmac, at: toDate(now) }).execute();
    return false;
  });
  // a refusal writes nothing (a flood of refusals adds no rows, and is not audited one by one)
  if (refused) throw new AppError('rate_limited', 429, 'queue.lookup_limited', { max: policy.queueIinLookupsPerAddressPerHour });
}
