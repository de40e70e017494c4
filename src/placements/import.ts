import { sql, type Kysely } from 'kysely';
import type { Actor } from '../audit/write.ts';
import type { DB, ImportReject } from '../db/schema.ts';
import { admitsBirthYear } from '../domain/path.ts';
import { insertApplicationPreferences } from '../applications/preferences.ts';
import { cellsOf, checkPeople, parseDate, PEOPLE_COLUMNS, type CheckContext, type Checked, type ColumnSpec, type ImportRow } from '../queue-import/format.ts';
import { freshNumbers, writePeople, type ImportKind } from '../queue-import/service.ts';
import type { ImportView } from '../queue-import/pages.tsx';

/**
 * The enrolled children import (issue 14): a city starts with its kindergartens as they are. A CSV of
 * placed children — the child, the parent, the organisation, the group, the start date — goes
 * through the queue import's machinery (src/queue-import/: the same parsing, the same checks of the
 * child and the parent, the same preview of rejected rows, one transaction). Each valid row becomes
 * the child, the parent, an 'enrolled' application (its one preference the organisation) and an
 * active placement from the start date.
 */

export const PLACED_COLUMNS: ColumnSpec = {
  columns: [
    ...PEOPLE_COLUMNS,
    'organisation_id',
    'group_id',
    'start_date',
  ],
  required: ['child_iin', 'child_last_name', 'child_first_name', 'child_birth_date', 'parent_iin', 'parent_last_name', 'parent_first_name', 'parent_phone', 'organisation_id', 'group_id', 'start_date'],
};

export interface PlacedRow {
  line: number;
  child: ImportRow['child'];
  parent: ImportRow['parent'];
  organisationId: number;
  groupId: number;
  startsOn: string;
}

type Reject = Omit<ImportReject, 'row'>;
const reject = (code: string, key: Reject['key'], params: Record<string, string | number> = {}): Reject => ({ code, key, params });

/** One placed child's row: the people as in the queue import, then the organisation, the group (its birth years, its room) and the start date. */
export function checkPlacedRow(header: readonly string[], cells: readonly string[], line: number, ctx: CheckContext & { placedInFile?: Map<number, number> }): PlacedRow | Reject {
  const get = cellsOf(header, cells, PLACED_COLUMNS.required);
  if (typeof get !== 'function') return get;
  const people = checkPeople(get, ctx);
  if ('code' in people) return people;
  const orgId = /^[1-9][0-9]{0,12}$/.test(get('organisation_id')) ? Number(get('organisation_id')) : 0;
  const org = ctx.organisations.get(orgId);
  if (!org) return reject('organisation_unknown', 'import.reject.organisation_unknown', { id: get('organisation_id') });
  if (org.closed) return reject('organisation_closed', 'import.reject.organisation_closed', { id: String(orgId) });
  const groupId = /^[1-9][0-9]{0,12}$/.test(get('group_id')) ? Number(get('group_id')) : 0;
  const g = ctx.groups?.get(groupId);
  if (!g || g.organisationId !== orgId || g.closed) return reject('group_unknown', 'placements.import.reject.group_unknown', { id: get('group_id') });
  if (!admitsBirthYear(g, Number(people.child.birthDate.slice(0, 4)))) return reject('group_birth_year', 'placements.import.reject.group_birth_year', { year: people.child.birthDate.slice(0, 4) });
  const startsOn = parseDate(get('start_date'));
  if (!startsOn) return reject('start_date_invalid', 'import.reject.date_invalid', { column: 'start_date' });
  if (startsOn < people.child.birthDate || startsOn > ctx.today) return reject('start_date_out_of_range', 'placements.import.reject.start_date', { today: ctx.today });
  ctx.placedInFile ??= new Map();
  const used = ctx.placedInFile.get(groupId) ?? 0;
  if (used >= g.free) return reject('group_full', 'placements.import.reject.group_full', { id: String(groupId) });
  ctx.placedInFile.set(groupId, used + 1);
  return { line, child: people.child, parent: people.parent, organisationId: orgId, groupId, startsOn };
}

/** The rows written: people (found or created), 'enrolled' applications, their one preference, active placements. */
export async function writePlaced(trx: Kysely<DB>, checked: Checked<PlacedRow>, importId: number, _actor: Actor, now: Date): Promise<Record<string, unknown>> {
  const rows = checked.valid;
  const people = await writePeople(trx, rows, now);
  const numbers = await freshNumbers(trx, rows.length);
  const groups = rows.length ? await trx.selectFrom('groups as g').innerJoin('organisations as o', 'o.id', 'g.organisation_id').select(['g.id', 'g.language', 'o.kind']).where('g.id', 'in', [...new Set(rows.map((r) => r.groupId))]).execute() : [];
  const groupOf = new Map(groups.map((g) => [g.id, g]));
  // applications in bulk, in row order ('enrolled': the child is in the kindergarten already)
  const ins = rows.length
    ? await sql<{ id: number; child_id: number }>`
      insert into applications (number, child_id, parent_id, status, birth_year, org_kind, language, desired_start, applied_at, created_at, left_at, left_reason, import_id)
      select u.number, u.child_id, u.parent_id, 'enrolled', u.birth_year, u.org_kind, u.language, u.desired_start, ${now}::timestamptz, ${now}::timestamptz, ${now}::timestamptz, 'enrolled', ${importId}::bigint
        from unnest(${numbers}::text[], ${rows.map((r) => people.childId.get(r.child.iin)!)}::bigint[], ${rows.map((r) => people.parentId.get(r.parent.iin)!)}::bigint[],
                    ${rows.map((r) => Number(r.child.birthDate.slice(0, 4)))}::int[], ${rows.map((r) => groupOf.get(r.groupId)!.kind)}::text[],
                    ${rows.map((r) => groupOf.get(r.groupId)!.language)}::text[], ${rows.map((r) => r.startsOn)}::date[])
             as u(number, child_id, parent_id, birth_year, org_kind, language, desired_start)
      returning id, child_id`.execute(trx)
    : { rows: [] };
  const appOfChild = new Map(ins.rows.map((x) => [Number(x.child_id), Number(x.id)]));
  const apps = rows.map((r) => ({ line: r.line, id: appOfChild.get(people.childId.get(r.child.iin)!)! }));
  const appOf = new Map(apps.map((a) => [a.line, a.id]));
  await insertApplicationPreferences(
    trx,
    rows.map((r) => ({ applicationId: appOf.get(r.line)!, organisations: [r.organisationId] })),
  );
  if (rows.length)
    await sql`
      insert into placements (child_id, application_id, group_id, organisation_id, starts_on, created_at, import_id)
      select u.child_id, u.application_id, u.group_id, u.organisation_id, u.starts_on, ${now}::timestamptz, ${importId}::bigint
        from unnest(${rows.map((r) => people.childId.get(r.child.iin)!)}::bigint[], ${rows.map((r) => appOf.get(r.line)!)}::bigint[], ${rows.map((r) => r.groupId)}::bigint[],
                    ${rows.map((r) => r.organisationId)}::bigint[], ${rows.map((r) => r.startsOn)}::date[]) as u(child_id, application_id, group_id, organisation_id, starts_on)`.execute(trx);
  return {
    placements: rows.length,
    applications: rows.length,
    parentsCreated: people.parentsCreated,
    parentsReused: people.parentsReused,
    childrenCreated: rows.length - people.childrenReused,
    childrenReused: people.childrenReused,
    groups: new Set(rows.map((r) => r.groupId)).size,
  };
}

export const PLACEMENTS_VIEW: ImportView = { path: '/staff/placements-import', title: 'placements.import.title', lead: 'placements.import.lead', columns: PLACED_COLUMNS };

export const PLACEMENTS_IMPORT: ImportKind<PlacedRow> = { kind: 'placements', permission: 'placements.import', columns: PLACED_COLUMNS, check: checkPlacedRow, write: writePlaced };
