import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { sql, type Kysely } from 'kysely';
import type { AppDeps } from '../context.ts';
import type { DB, ImportReject, Tier } from '../db/schema.ts';
import { audit, type Actor } from '../audit/write.ts';
import { assertCan, type Permission } from '../auth/permissions.ts';
import { almatyDate, toDate } from '../clock.ts';
import type { Temporal } from 'temporal-polyfill';
import type { Policy } from '../domain/policy.ts';
import { placedIn } from '../places/occupancy.ts';
import { AppError, conflict, notFound } from '../errors.ts';
import { newApplicationNumber } from '../applications/number.ts';
import { insertApplicationPreferences } from '../applications/preferences.ts';
import { refreshQueueSnapshot } from '../applications/snapshot.ts';
import { checkAll, checkRecord, parseCsv, QUEUE_COLUMNS, type CheckContext, type Checked, type ColumnSpec, type ImportRow, type Parsed, type PeopleRow, type RowCheck } from './format.ts';

/**
 * What kind of file an import is: its columns, its row check and its writer. The queue import is one
 * kind; the enrolled children import (src/placements/import.ts) another, on the same machinery.
 */
export interface ImportKind<R extends PeopleRow> {
  kind: 'queue' | 'placements';
  permission: Permission;
  columns: ColumnSpec;
  check: RowCheck<R>;
  /** Writes the valid rows in the import's transaction; returns the counts kept as the import's result. */
  write(trx: Kysely<DB>, checked: Checked<R>, importId: number, actor: Actor, now: Date): Promise<Record<string, unknown>>;
}

export const QUEUE_IMPORT: ImportKind<ImportRow> = { kind: 'queue', permission: 'queue.import', columns: QUEUE_COLUMNS, check: checkRecord, write: (trx, c, id, a, now) => writeRows(trx, c, id, a, now) };

export interface ImportSummary {
  id: number;
  status: 'checked' | 'imported' | 'discarded';
  fileName: string;
  fileSha256: string;
  fileSize: number;
  rowsTotal: number;
  rowsValid: number;
  rowsRejected: number;
  checkedAt: string;
  decidedAt: string | null;
  result: Record<string, unknown> | null;
}

const CHUNK = 10_000;

/** The audit entry of an import's step (`queue_import.<step>` or `placements_import.<step>`), on the import's row. */
function auditImport(trx: Kysely<DB>, deps: Pick<AppDeps, 'clock'>, actor: Actor, kind: { kind: 'queue' | 'placements' }, step: 'checked' | 'discarded' | 'rechecked' | 'imported', id: number, requestId: string | undefined, data?: Record<string, unknown>): Promise<void> {
  return audit(trx, deps.clock, actor, { action: `${kind.kind === 'queue' ? 'queue_import' : 'placements_import'}.${step}`, subjectType: 'queue_import', subjectId: id, ...(data ? { data } : {}) }, requestId);
}

function chunks<T>(xs: readonly T[], n = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

async function checkContext(db: Kysely<DB>, policy: Policy, now: Temporal.Instant): Promise<CheckContext> {
  const orgs = await db.selectFrom('organisations').select(['id', 'kind', 'closed_at']).execute();
  const groups = await db
    .selectFrom('groups as g')
    .select(['g.id', 'g.organisation_id', 'g.birth_year', 'g.birth_year_max', 'g.language', 'g.capacity', 'g.closed_at', placedIn('g.id', almatyDate(now).toString()).as('placed')])
    .execute();
  return {
    policy,
    nowMs: now.epochMilliseconds,
    today: almatyDate(now).toString(),
    organisations: new Map(orgs.map((o) => [o.id, { kind: o.kind, closed: o.closed_at !== null }])),
    groups: new Map(groups.map((g) => [g.id, { organisationId: g.organisation_id, birthYear: g.birth_year, birthYearMax: g.birth_year_max, language: g.language, closed: g.closed_at !== null, free: g.capacity - g.placed }])),
  };
}

/** Children of the file who already have an active application (queued or enrolled), or a placement, in Kezek. */
async function queuedChildren(db: Kysely<DB>, parsed: Parsed): Promise<Set<string>> {
  const i = parsed.header.indexOf('child_iin');
  const iins = [...new Set(parsed.records.map((r) => (r.cells[i] ?? '').trim()).filter((s) => /^[0-9]{12}$/.test(s)))];
  const found = new Set<string>();
  for (const part of chunks(iins)) {
    const rows = await sql<{ iin: string }>`
      select c.iin from children c
       where c.iin = any(${part}::text[])
         and (exists (select 1 from applications a where a.child_id = c.id and a.status in ('queued', 'inactive', 'enrolled'))
              or exists (select 1 from placements p where p.child_id = c.id and p.ends_on is null))`.execute(db);
    for (const r of rows.rows) found.add(r.iin);
  }
  return found;
}

function summary(r: {
  id: number;
  status: ImportSummary['status'];
  file_name: string;
  file_sha256: string;
  file_size: number;
  rows_total: number;
  rows_valid: number;
  rows_rejected: number;
  checked_at: Date;
  decided_at: Date | null;
  result: Record<string, unknown> | null;
}): ImportSummary {
  return {
    id: r.id,
    status: r.status,
    fileName: r.file_name,
    fileSha256: r.file_sha256,
    fileSize: Number(r.file_size),
    rowsTotal: r.rows_total,
    rowsValid: r.rows_valid,
    rowsRejected: r.rows_rejected,
    checkedAt: r.checked_at.toISOString(),
    decidedAt: r.decided_at ? r.decided_at.toISOString() : null,
    result: r.result,
  };
}

/** An uploaded file: its bytes as gzip (kept until the import), hash and size, and its parsed records. */
export interface UploadedFile {
  name: string;
  size: number;
  sha256: string;
  gz: Buffer;
  parsed: Parsed;
  truncated: boolean;
}

/** For callers that have the whole file (the CLI, tests): hash, gzip and parse it. */
export async function fileOf(name: string, data: Buffer): Promise<UploadedFile> {
  return {
    name,
    size: data.length,
    sha256: crypto.createHash('sha256').update(data).digest('hex'),
    gz: zlib.gzipSync(data),
    parsed: await parseCsv(Readable.from([data])),
    truncated: false,
  };
}

/**
 * Step 1: check an uploaded file row by row and keep it with every rejected row and its reason.
 * Nothing enters the queue yet. A file-level problem (not a CSV, missing columns, too large) is
 * refused with a translated error and nothing is stored.
 */
export async function checkImport<R extends PeopleRow = ImportRow>(deps: AppDeps, actor: Actor, file: UploadedFile, requestId?: string, kind: ImportKind<R> = QUEUE_IMPORT as unknown as ImportKind<R>): Promise<ImportSummary> {
  assertCan(actor, kind.permission);
  if (file.truncated) throw new AppError('file_too_large', 413, 'import.file.too_large', { mb: 64 });
  // the upload is parsed as a queue file on arrival; another kind reads it again with its own columns
  const parsed = kind.columns === QUEUE_COLUMNS ? file.parsed : await parseCsv(Readable.from([zlib.gunzipSync(file.gz)]), kind.columns);
  if (parsed.problem) throw new AppError('file_invalid', 400, parsed.problem.key, parsed.problem.params);
  const db = deps.database.db;
  const ctx = await checkContext(db, await deps.city.getPolicy(), deps.clock.now());
  const checked = checkAll(parsed, ctx, await queuedChildren(db, parsed), kind.check);
  const now = new Date(ctx.nowMs);
  const name = file.name.replace(/[\u0000-\u001f\\/]/g, '_').slice(0, 300) || 'queue.csv';
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('queue_imports')
      .values({
        kind: kind.kind,
        status: 'checked',
        file_name: name,
        file_sha256: file.sha256,
        file_size: file.size,
        file_data: file.gz,
        rows_total: checked.total,
        rows_valid: checked.valid.length,
        rows_rejected: checked.rejects.length,
        rejects: JSON.stringify(checked.rejects),
        checked_at: now,
        checked_by: actor.id!,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await auditImport(trx, deps, actor, kind, 'checked', row.id, requestId, {
      fileSha256: file.sha256,
      fileSize: file.size,
      rows: checked.total,
      valid: checked.valid.length,
      rejected: checked.rejects.length,
      rejectCodes: countBy(checked.rejects.map((r) => r.code)),
    });
    return summary(row);
  });
}

/** What a check decided, comparable across a jsonb round trip (which reorders object keys). */
const rejectsSignature = (rs: readonly ImportReject[]): string => rs.map((r) => `${r.row}:${r.code}`).join(',');

function countBy(xs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

export async function getImport(deps: AppDeps, actor: Actor, id: number, kind: ImportKind<PeopleRow> = QUEUE_IMPORT): Promise<ImportSummary & { rejects: ImportReject[] }> {
  assertCan(actor, kind.permission);
  const r = await deps.database.db
    .selectFrom('queue_imports')
    .select(['id', 'status', 'file_name', 'file_sha256', 'file_size', 'rows_total', 'rows_valid', 'rows_rejected', 'checked_at', 'decided_at', 'result', 'rejects'])
    .where('id', '=', id)
    .where('kind', '=', kind.kind)
    .executeTakeFirst();
  if (!r) throw notFound();
  return { ...summary(r), rejects: r.rejects };
}

export async function listImports(deps: AppDeps, actor: Actor, limit = 50, kind: ImportKind<PeopleRow> = QUEUE_IMPORT): Promise<ImportSummary[]> {
  assertCan(actor, kind.permission);
  const rows = await deps.database.db
    .selectFrom('queue_imports')
    .select(['id', 'status', 'file_name', 'file_sha256', 'file_size', 'rows_total', 'rows_valid', 'rows_rejected', 'checked_at', 'decided_at', 'result'])
    .where('kind', '=', kind.kind)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(summary);
}

/** Discard a checked file: it is dropped (its hash and the rejected rows stay for the record). */
export async function discardImport(deps: AppDeps, actor: Actor, id: number, requestId?: string, kind: ImportKind<PeopleRow> = QUEUE_IMPORT): Promise<void> {
  assertCan(actor, kind.permission);
  const now = toDate(deps.clock.now());
  await deps.database.db.transaction().execute(async (trx) => {
    const done = await trx
      .updateTable('queue_imports')
      .set({ status: 'discarded', decided_at: now, decided_by: actor.id, file_data: null })
      .where('id', '=', id)
      .where('kind', '=', kind.kind)
      .where('status', '=', 'checked')
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) {
      const exists = await trx.selectFrom('queue_imports').select('id').where('id', '=', id).where('kind', '=', kind.kind).executeTakeFirst();
      if (!exists) throw notFound();
      throw conflict('import_not_checked', 'import.not_checked');
    }
    await auditImport(trx, deps, actor, kind, 'discarded', id, requestId);
  });
}

export interface ImportResult {
  /** false: the queue changed since the check (rows now rejected, or accepted): nothing was imported; the check was refreshed. */
  imported: boolean;
  summary: ImportSummary;
}

/**
 * Step 2: import a checked file in ONE transaction. The file is checked again inside the transaction
 * (the queue may have changed since the preview); if the outcome differs from what the operator saw,
 * nothing is imported and the stored check is refreshed for a new look. Otherwise every valid row
 * becomes a queued application with its ORIGINAL application time (so its place in the order of
 * service is where it was), written in bulk: parents (found by IIN or created; an existing parent's
 * contacts are kept), children (created, or found when they have no active application), applications
 * in file order (rows with the same time keep the file's order), ranked preferences, and confirmed
 * privilege claims for the extraordinary and primary tiers. One audit entry for the import.
 */
export async function commitImport<R extends PeopleRow = ImportRow>(deps: AppDeps, actor: Actor, id: number, requestId?: string, kind: ImportKind<R> = QUEUE_IMPORT as unknown as ImportKind<R>): Promise<ImportResult> {
  assertCan(actor, kind.permission);
  const db = deps.database.db;
  const policy = await deps.city.getPolicy();
  const nowI = deps.clock.now();
  const now = toDate(nowI);
  const changed = await db.transaction().execute(async (trx) => {
    // one import at a time (two operators, or a double click)
    await sql`select pg_advisory_xact_lock(7751101)`.execute(trx);
    const imp = await trx.selectFrom('queue_imports').selectAll().where('id', '=', id).where('kind', '=', kind.kind).forUpdate().executeTakeFirst();
    if (!imp) throw notFound();
    if (imp.status !== 'checked' || !imp.file_data) throw conflict('import_not_checked', 'import.not_checked');
    const parsed = await parseCsv(Readable.from([zlib.gunzipSync(imp.file_data)]), kind.columns);
    if (parsed.problem) throw new AppError('file_invalid', 400, parsed.problem.key, parsed.problem.params);
    const ctx: CheckContext = await checkContext(trx, policy, nowI);
    const checked = checkAll(parsed, ctx, await queuedChildren(trx, parsed), kind.check);
    if (rejectsSignature(checked.rejects) !== rejectsSignature(imp.rejects) || checked.valid.length !== imp.rows_valid) {
      await trx
        .updateTable('queue_imports')
        .set({ rows_total: checked.total, rows_valid: checked.valid.length, rows_rejected: checked.rejects.length, rejects: JSON.stringify(checked.rejects), checked_at: now, checked_by: actor.id! })
        .where('id', '=', id)
        .execute();
      await auditImport(trx, deps, actor, kind, 'rechecked', id, requestId, { valid: checked.valid.length, rejected: checked.rejects.length });
      return true;
    }
    const result = await kind.write(trx, checked, id, actor, now);
    await trx
      .updateTable('queue_imports')
      .set({ status: 'imported', decided_at: now, decided_by: actor.id, file_data: null, result: JSON.stringify(result) })
      .where('id', '=', id)
      .where('status', '=', 'checked')
      .execute();
    await auditImport(trx, deps, actor, kind, 'imported', id, requestId, { fileSha256: imp.file_sha256, rows: checked.total, rejected: checked.rejects.length, ...result });
    return false;
  });
  // the import put applications ahead of queued ones: publish fresh queue numbers now rather than
  // within the snapshot's minute (src/applications/snapshot.ts). Best effort — the import is
  // committed; the snapshot job refreshes anyway and stale snapshots are never used past 60 s.
  if (!changed) await refreshQueueSnapshot(deps, 0).catch(() => null);
  const s = await getImport(deps, actor, id, kind as unknown as ImportKind<PeopleRow>);
  return { imported: !changed, summary: s };
}

/** The people of an import's rows, written or found (by IIN): parent and child ids, and how many were new. */
export interface People {
  parentId: Map<string, number>;
  childId: Map<string, number>;
  parentsCreated: number;
  parentsReused: number;
  childrenReused: number;
}

/**
 * Parents (one per IIN, the first row's details; existing ones kept as they are) and children (a child
 * known to Kezek without an active application is reused — checked before), in bulk.
 */
export async function writePeople(trx: Kysely<DB>, rows: readonly { child: ImportRow['child']; parent: ImportRow['parent'] }[], now: Date): Promise<People> {
  // parents: one per IIN (the first row's details), existing ones kept as they are
  const parentIins = [...new Set(rows.map((r) => r.parent.iin))];
  const parentId = new Map<string, number>();
  for (const part of chunks(parentIins)) {
    const found = await sql<{ id: number; iin: string }>`select id, iin from parents where iin = any(${part}::text[])`.execute(trx);
    for (const p of found.rows) parentId.set(p.iin, Number(p.id));
  }
  const parentsReused = parentId.size;
  const newParents = new Map<string, ImportRow['parent']>();
  for (const r of rows) if (!parentId.has(r.parent.iin) && !newParents.has(r.parent.iin)) newParents.set(r.parent.iin, r.parent);
  for (const part of chunks([...newParents.values()])) {
    const ins = await sql<{ id: number; iin: string }>`
      insert into parents (iin, last_name, first_name, middle_name, phone1, phone2, lang, created_at)
      select u.iin, u.last_name, u.first_name, u.middle_name, u.phone1, u.phone2, u.lang, ${now}::timestamptz
        from unnest(${part.map((p) => p.iin)}::text[], ${part.map((p) => p.lastName)}::text[], ${part.map((p) => p.firstName)}::text[],
                    ${part.map((p) => p.middleName)}::text[], ${part.map((p) => p.phone1)}::text[], ${part.map((p) => p.phone2)}::text[],
                    ${part.map((p) => p.lang)}::text[]) as u(iin, last_name, first_name, middle_name, phone1, phone2, lang)
      returning id, iin`.execute(trx);
    for (const p of ins.rows) parentId.set(p.iin, Number(p.id));
  }

  // children: a child known to Kezek without an active application is reused (checked: none is active)
  const childId = new Map<string, number>();
  for (const part of chunks(rows.map((r) => r.child.iin))) {
    const found = await sql<{ id: number; iin: string }>`select id, iin from children where iin = any(${part}::text[])`.execute(trx);
    for (const c of found.rows) childId.set(c.iin, Number(c.id));
  }
  const childrenReused = childId.size;
  for (const part of chunks(rows.filter((r) => !childId.has(r.child.iin)).map((r) => r.child))) {
    const ins = await sql<{ id: number; iin: string }>`
      insert into children (iin, last_name, first_name, middle_name, birth_date, created_at)
      select u.iin, u.last_name, u.first_name, u.middle_name, u.birth_date, ${now}::timestamptz
        from unnest(${part.map((c) => c.iin)}::text[], ${part.map((c) => c.lastName)}::text[], ${part.map((c) => c.firstName)}::text[],
                    ${part.map((c) => c.middleName)}::text[], ${part.map((c) => c.birthDate)}::date[]) as u(iin, last_name, first_name, middle_name, birth_date)
      returning id, iin`.execute(trx);
    for (const c of ins.rows) childId.set(c.iin, Number(c.id));
  }

  return { parentId, childId, parentsCreated: newParents.size, parentsReused, childrenReused };
}

/** `n` application numbers: random and unguessable as for any application; never one already used. */
export async function freshNumbers(trx: Kysely<DB>, n: number): Promise<string[]> {
  const numbers = new Set<string>();
  while (numbers.size < n) numbers.add(newApplicationNumber());
  for (;;) {
    const taken = new Set<string>();
    for (const part of chunks([...numbers])) {
      const found = await sql<{ number: string }>`select number from applications where number = any(${part}::text[])`.execute(trx);
      for (const f of found.rows) taken.add(f.number);
    }
    if (taken.size === 0) break;
    for (const n of taken) numbers.delete(n);
    while (numbers.size < n) numbers.add(newApplicationNumber());
  }
  return [...numbers];
}

async function writeRows(trx: Kysely<DB>, checked: Checked, importId: number, actor: Actor, now: Date): Promise<Record<string, unknown>> {
  const rows = checked.valid;
  const { parentId, childId, parentsCreated, parentsReused, childrenReused } = await writePeople(trx, rows, now);
  const numberList = await freshNumbers(trx, rows.length);

  // applications in file order: identity ids follow it, so equal times keep the file's order
  const appId = new Map<number, number>(); // line → application id
  let firstId = Number.MAX_SAFE_INTEGER;
  let lastId = 0;
  let offset = 0;
  for (const part of chunks(rows)) {
    const nums = numberList.slice(offset, offset + part.length);
    offset += part.length;
    const ins = await sql<{ id: number; child_id: number }>`
      insert into applications (number, child_id, parent_id, status, birth_year, org_kind, language, desired_start, special_needs,
                                pmpk_document_ref, tier, applied_at, created_at, import_id)
      select u.number, u.child_id, u.parent_id, 'queued', u.birth_year, u.org_kind, u.language, u.desired_start, u.special_needs,
             u.pmpk, u.tier, u.applied_at, ${now}::timestamptz, ${importId}::bigint
        from unnest(${nums}::text[], ${part.map((r) => childId.get(r.child.iin)!)}::bigint[], ${part.map((r) => parentId.get(r.parent.iin)!)}::bigint[],
                    ${part.map((r) => Number(r.child.birthDate.slice(0, 4)))}::int[], ${part.map((r) => r.orgKind)}::text[], ${part.map((r) => r.language)}::text[],
                    ${part.map((r) => r.desiredStart)}::date[], ${part.map((r) => r.specialNeeds)}::boolean[], ${part.map((r) => r.pmpkDocumentRef)}::text[],
                    ${part.map((r) => r.tier)}::text[], ${part.map((r) => r.appliedAt)}::timestamptz[])
             with ordinality as u(number, child_id, parent_id, birth_year, org_kind, language, desired_start, special_needs, pmpk, tier, applied_at, ord)
       order by u.ord
      returning id, child_id`.execute(trx);
    const byChild = new Map(ins.rows.map((x) => [Number(x.child_id), Number(x.id)]));
    for (const r of part) {
      const a = byChild.get(childId.get(r.child.iin)!)!;
      appId.set(r.line, a);
      firstId = Math.min(firstId, a);
      lastId = Math.max(lastId, a);
    }
  }

  // ranked preferences: through the one writer (applications.preferences follows by trigger, migration 0008)
  await insertApplicationPreferences(
    trx,
    rows.map((r) => ({ applicationId: appId.get(r.line)!, organisations: r.preferences })),
  );
  const prefs = rows.reduce((n, r) => n + r.preferences.length, 0);

  // the tier the previous system confirmed: a confirmed claim, dated the application time
  const privileged = rows.filter((r) => r.privilege);
  for (const part of chunks(privileged)) {
    await sql`
      insert into privilege_claims (application_id, category, document_ref, status, claimed_at, decided_at, decided_by, reason)
      select u.application_id, u.category, u.document_ref, 'confirmed', u.claimed_at, ${now}::timestamptz, ${actor.id}::bigint, ${`queue_import:${importId}`}
        from unnest(${part.map((r) => appId.get(r.line)!)}::bigint[], ${part.map((r) => r.privilege!.category)}::text[],
                    ${part.map((r) => r.privilege!.documentRef ?? `queue_import:${importId}:line:${r.line}`)}::text[], ${part.map((r) => r.appliedAt)}::timestamptz[])
             as u(application_id, category, document_ref, claimed_at)`.execute(trx);
  }

  const tiers: Record<Tier, number> = { extraordinary: 0, primary: 0, general: 0 };
  for (const r of rows) tiers[r.tier]++;
  return {
    applications: rows.length,
    applicationIds: rows.length ? { first: firstId, last: lastId } : null,
    parentsCreated,
    parentsReused,
    childrenCreated: rows.length - childrenReused,
    childrenReused,
    privilegeClaims: privileged.length,
    preferences: prefs,
    tiers,
  };
}
