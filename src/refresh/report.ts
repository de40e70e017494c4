import { sql, type Kysely } from 'kysely';
import type { DB, Lang } from '../db/schema.ts';
import { t } from '../web/i18n/index.ts';
import { countColumns, reportHeading, textColumns, type Report } from '../reports/report.ts';

const COUNTS = ['asked', 'confirmed', 'confirmed_late', 'unconfirmed', 'withdrawn'] as const;
type Count = (typeof COUNTS)[number];

/**
 * The latest refresh campaign by district (the first-choice organisation's, as in the queue report):
 * applications asked; confirmed in the window; confirmed after it (back from inactive); unconfirmed
 * and still inactive; withdrawn since they were asked. Aggregates only.
 */
export async function refreshReport(db: Kysely<DB>, lang: Lang): Promise<Omit<Report, 'asOf'>> {
  const campaign = await db.selectFrom('refresh_campaigns').select(['id', 'year', 'starts_on', 'ends_on']).orderBy('year', 'desc').limit(1).executeTakeFirst();
  const rows = campaign
    ? (
        await sql<{ district_id: number | null; name_kk: string | null; name_ru: string | null } & Record<Count, number>>`
          select d.id as district_id, d.name_kk, d.name_ru,
                 count(*)::int as asked,
                 count(*) filter (where r.status = 'confirmed' and not r.confirmed_late)::int as confirmed,
                 count(*) filter (where r.status = 'confirmed' and r.confirmed_late)::int as confirmed_late,
                 count(*) filter (where r.status = 'unconfirmed' and a.status = 'inactive')::int as unconfirmed,
                 count(*) filter (where a.status = 'withdrawn')::int as withdrawn
            from refresh_requests r
            join applications a on a.id = r.application_id
            left join application_preferences p on p.application_id = a.id and p.rank = 1
            left join organisations o on o.id = p.organisation_id
            left join districts d on d.id = o.district_id
           where r.campaign_id = ${campaign.id}
           group by d.id, d.name_kk, d.name_ru
           order by d.name_kk nulls last, d.id`.execute(db)
      ).rows
    : [];
  const label = (c: Count) => t(lang, `reports.refresh.${c}`);
  const district = (r: (typeof rows)[number]) => (r.district_id === null ? t(lang, 'reports.no_district') : lang === 'kk' ? r.name_kk! : r.name_ru!);
  const total = (c: Count) => rows.reduce((s, r) => s + Number(r[c]), 0);
  return {
    ...reportHeading(lang, 'refresh', null),
    columns: [...textColumns(lang, 'district'), ...countColumns(COUNTS, label)],
    rows: rows.map((r) => [district(r), ...COUNTS.map((c) => Number(r[c]))]),
    totals: [t(lang, 'reports.total'), ...COUNTS.map(total)],
    chart: {
      categories: rows.map(district),
      series: (['confirmed', 'confirmed_late', 'unconfirmed', 'withdrawn'] as const).map((c) => ({ key: c, label: label(c), values: rows.map((r) => Number(r[c])) })),
      stacked: true,
      unit: t(lang, 'reports.unit.children'),
    },
    note: campaign ? t(lang, 'reports.refresh.campaign', { year: String(campaign.year), from: campaign.starts_on, to: campaign.ends_on }) : t(lang, 'reports.refresh.none'),
  };
}
