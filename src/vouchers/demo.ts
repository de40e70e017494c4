import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { almatyDate, toDate, type Clock } from '../clock.ts';
import { budgetMonth } from '../domain/voucher.ts';

/**
 * The demo city under the voucher regime (KEZEK_REGIME=voucher at the first start): every state
 * kindergarten takes vouchers, and each cohort's budget this month is its open places; the
 * regime itself comes from the configuration (no decision is recorded).
 */
export async function prepareVoucherDemo(db: Kysely<DB>, clock: Clock): Promise<{ organisations: number; cohorts: number }> {
  const now = clock.now();
  const month = budgetMonth(almatyDate(now));
  return db.transaction().execute(async (trx) => {
    // the register needs a licence and a joining date: the demo's are marked as such
    const orgs = await trx
      .updateTable('organisations')
      .set({ takes_vouchers: true, voucher_licence: sql<string>`'DEMO-' || id`, vouchers_joined_on: almatyDate(now).toString() })
      .where('kind', '=', 'kindergarten')
      .executeTakeFirst();
    const budgets = await sql`
      insert into voucher_budgets (birth_year, month, count, updated_at)
      select g.birth_year, ${month}::date, count(*)::int, ${toDate(now)}::timestamptz
        from free_places f join groups g on g.id = f.group_id where f.status = 'open' group by g.birth_year
      on conflict (birth_year, month) do nothing`.execute(trx);
    return { organisations: Number(orgs.numUpdatedRows), cohorts: Number(budgets.numAffectedRows ?? 0) };
  });
}
