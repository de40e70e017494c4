import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { sql, type Kysely } from 'kysely';
import type { AppDeps } from '../context.ts';
import type { DB, Lang, Tier } from '../db/schema.ts';
import { almatyDate, toDate } from '../clock.ts';
import { audit, type Actor } from '../audit/write.ts';
import { publishHead } from '../audit/seal.ts';
import { assertCan } from '../auth/permissions.ts';
import { AppError, notFound } from '../errors.ts';
import { isBeyondHorizon } from '../domain/calendar.ts';
import { nextTier, type Ordered, type Place } from '../domain/distribution.ts';
import * as V from '../domain/voucher.ts';
import { renderSms, laneOf } from '../sms/templates.ts';
import { insertOutboxBulk } from '../mail/outbox.ts';
import { readFlags, readPlaces, TierStream, type Flags } from '../distribution/compute.ts';
import { DISTRIBUTION_LOCK, replayReport, type RunReplay } from '../distribution/service.ts';
import { encodeInputs, inputsFromRaw, sha256 } from '../distribution/inputs.ts';
import { regimeOnDay } from '../settings/regime.ts';

/**
 * Voucher runs (docs/VOUCHERS.md): per cohort with a budget this month, in the order of service (the
 * distribution's streams, src/distribution/compute.ts), up to the smaller of the budget left and the
 * fitting free places of voucher kindergartens (src/domain/voucher.ts CohortIssuer). Preview writes
 * nothing; a commit runs once per key under the distribution's lock, in one transaction (vouchers,
 * SMS, audit, the run with its hashed inputs and public protocol); the unique index "one outstanding
 * voucher per application" makes two concurrent commits unable to give one child two vouchers.
 */

export type Trigger = 'operator' | 'scheduled' | 'cli';

export interface VoucherRunSummary {
  id: number | null;
  runDate: string;
  month: string;
  committedAt: string | null;
  places: number;
  vouchers: number;
  applicationsRead: number;
  inputsHash: string;
  resultHash: string;
}

interface Computed {
  places: Place[];
  quotas: V.CohortQuota[];
  read: Ordered[];
  awards: V.VoucherAward[];
  protocol: V.VoucherProtocolCohort[];
  parentOf: Map<number, number>;
}

const toVoucherCandidate = (o: Ordered): V.VoucherCandidate => ({
  id: o.c.id,
  number: o.c.number,
  queueNumber: o.queueNumber,
  birthYear: o.c.birthYear,
  language: o.c.language,
  specialNeeds: o.c.specialNeeds,
  stopListed: o.c.stopListed,
  outstanding: o.c.outstandingReferral,
});

const toVoucherPlace = (p: Place): V.VoucherPlace => ({ id: p.id, organisationId: p.organisationId, birthYear: p.birthYear, language: p.language, groupType: p.groupType });

/** The open places of voucher kindergartens free today. */
async function voucherPlaces(db: Kysely<DB>, lock: boolean, today: string): Promise<Place[]> {
  const places = await readPlaces(db, lock, today);
  const orgs = new Set((await db.selectFrom('organisations').select('id').where('takes_vouchers', '=', true).execute()).map((o) => Number(o.id)));
  return places.filter((p) => orgs.has(p.organisationId));
}

/** Each cohort with a budget this month: what is left of it, and its outstanding vouchers that hold no place yet. */
async function readQuotas(db: Kysely<DB>, month: string): Promise<V.CohortQuota[]> {
  const rows = await sql<{ birth_year: number; count: number; taken: number; unplaced: number }>`
    select b.birth_year, b.count,
           (select count(*)::int from vouchers v where v.birth_year = b.birth_year and v.month = b.month and v.status in ('issued', 'confirmed', 'used')) as taken,
           (select count(*)::int from vouchers v where v.birth_year = b.birth_year and v.status in ('issued', 'confirmed')
               and not exists (select 1 from referrals r where r.voucher_id = v.id and r.status in ('issued', 'registered'))) as unplaced
      from voucher_budgets b where b.month = ${month}::date order by b.birth_year`.execute(db);
  return rows.rows.map((r) => ({ birthYear: Number(r.birth_year), budgetLeft: Math.max(0, Number(r.count) - Number(r.taken)), unplacedOutstanding: Number(r.unplaced) }));
}

/** Applications holding an outstanding voucher count as "outstanding" beside those holding a referral. */
async function addOutstandingVouchers(db: Kysely<DB>, flags: Flags): Promise<void> {
  const rows = await db.selectFrom('vouchers').select('application_id').where('status', 'in', ['issued', 'confirmed']).execute();
  for (const r of rows) flags.outstanding.add(Number(r.application_id));
}

async function compute(db: Kysely<DB>, today: string, month: string, ratio: number, lock: boolean): Promise<Computed> {
  const places = await voucherPlaces(db, lock, today);
  const quotas = await readQuotas(db, month);
  const flags = await readFlags(db, today);
  await addOutstandingVouchers(db, flags);
  const vplaces = places.map(toVoucherPlace);
  const read: Ordered[] = [];
  const awards: V.VoucherAward[] = [];
  const protocol: V.VoucherProtocolCohort[] = [];
  for (const q of quotas) {
    const issuer = new V.CohortIssuer(vplaces, q);
    const streams: Record<Tier, TierStream> = {
      extraordinary: new TierStream(db, q.birthYear, 'extraordinary', flags),
      primary: new TierStream(db, q.birthYear, 'primary', flags),
      general: new TierStream(db, q.birthYear, 'general', flags),
    };
    const taken = { extraordinary: 0, primary: 0, general: 0 };
    let n = 0;
    while (!issuer.done) {
      const need = Math.max(1, issuer.line.quota - issuer.awards.length) * 2;
      const x = await streams.extraordinary.has(need);
      const has = { extraordinary: x, primary: !x && (await streams.primary.has(Math.ceil(need / (ratio + 1)))), general: !x && (await streams.general.has(need)) };
      const tier = nextTier(ratio, taken, has);
      if (!tier) break;
      const c = streams[tier].take();
      taken[tier]++;
      const o = { c, queueNumber: ++n };
      read.push(o);
      issuer.offer(toVoucherCandidate(o));
    }
    for (const a of issuer.awards) awards.push(a);
    protocol.push(issuer.line);
  }
  return { places, quotas, read, awards, protocol, parentOf: flags.parentOf };
}

// ---------------------------------------------------------------------------------------------
// inputs and protocol: the distribution's canonical inputs, inside the voucher run's own JSON

interface VoucherInputs {
  month: string;
  quotas: V.CohortQuota[];
  runDate: string;
  ratio: number;
  places: Place[];
  read: Ordered[];
}

export function encodeVoucherInputs(i: VoucherInputs): { hash: string; gz: Buffer } {
  const base = encodeInputs({ v: 1, runDate: i.runDate, ratio: i.ratio, places: i.places, candidates: i.read });
  const quotas = [...i.quotas].sort((a, b) => a.birthYear - b.birthYear).map((q) => [q.birthYear, q.budgetLeft, q.unplacedOutstanding]);
  const json = `{"v":1,"month":${JSON.stringify(i.month)},"quotas":${JSON.stringify(quotas)},"run":${base.json}}`;
  return { hash: sha256(json), gz: zlib.gzipSync(json, { level: 1 }) };
}

export function decodeVoucherInputs(gz: Buffer): { inputs: VoucherInputs; hash: string } {
  const json = zlib.gunzipSync(gz).toString('utf8');
  const raw = JSON.parse(json) as { month: string; quotas: [number, number, number][]; run: unknown };
  const run = inputsFromRaw(raw.run);
  return {
    hash: sha256(json),
    inputs: {
      month: raw.month,
      quotas: raw.quotas.map(([birthYear, budgetLeft, unplacedOutstanding]) => ({ birthYear, budgetLeft, unplacedOutstanding })),
      runDate: run.runDate,
      ratio: run.ratio,
      places: run.places,
      read: run.candidates,
    },
  };
}

/** SHA-256 of the public protocol (cohorts by birth year). */
export const protocolHash = (p: readonly V.VoucherProtocolCohort[]): string => sha256(JSON.stringify([...p].sort((a, b) => a.birthYear - b.birthYear)));

// ---------------------------------------------------------------------------------------------
// preview, commit, replay

function assertMayRun(actor: Actor): void {
  if (actor.kind !== 'system') assertCan(actor, 'distribution.run');
}

async function assertVoucherRegime(deps: AppDeps, day: string): Promise<void> {
  if ((await regimeOnDay(deps, day)) !== 'voucher') throw new AppError('regime_referral', 409, 'vouchers.error.regime_referral');
}

export interface VoucherPreview {
  summary: VoucherRunSummary;
  protocol: V.VoucherProtocolCohort[];
}

/** What a run would do now. Writes nothing. */
export async function previewVoucherRun(deps: AppDeps, actor: Actor): Promise<VoucherPreview> {
  assertMayRun(actor);
  const policy = await deps.city.getPolicy();
  const today = almatyDate(deps.clock.now());
  const runDate = today.toString();
  const month = V.budgetMonth(today);
  const c = await deps.database.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute((trx) => compute(trx, runDate, month, policy.primaryToGeneralRatio, false));
  const enc = encodeVoucherInputs({ month, quotas: c.quotas, runDate, ratio: policy.primaryToGeneralRatio, places: c.places, read: c.read });
  return {
    summary: { id: null, runDate, month, committedAt: null, places: c.places.length, vouchers: c.awards.length, applicationsRead: c.read.length, inputsHash: enc.hash, resultHash: protocolHash(c.protocol) },
    protocol: c.protocol,
  };
}

export interface VoucherCommit {
  summary: VoucherRunSummary;
  repeated: boolean;
}

const RETRYABLE = new Set(['23505', '40001', '40P01']);

/** A commit bound to a preview that no longer holds: `run` is the run that committed those inputs already, or null when they changed since. */
export class VoucherPreviewStale extends Error {
  constructor(public readonly run: VoucherRunSummary | null) {
    super(run ? 'preview already committed' : 'inputs changed since the preview');
  }
}

/**
 * Commit a voucher run once per key: one transaction under the distribution's lock writes the run,
 * the vouchers (consent deadline and the policy values recorded), one SMS each, the audit entries.
 */
export async function commitVoucherRun(deps: AppDeps, actor: Actor, opts: { key?: string; trigger: Trigger; expectInputsHash?: string }): Promise<VoucherCommit> {
  assertMayRun(actor);
  const key = opts.key ?? `${opts.trigger}:${crypto.randomUUID()}`;
  if (key.length < 1 || key.length > 200) throw new AppError('invalid_key', 400, 'distribution.error.invalid_key');
  const [policy, calendar] = [await deps.city.getPolicy(), await deps.city.getCalendar()];
  const now0 = deps.clock.now();
  await assertVoucherRegime(deps, almatyDate(now0).toString());
  const beyond = calendar.within(V.consentDeadline(now0, calendar, policy));
  if (isBeyondHorizon(beyond)) throw new AppError('calendar_not_checked', 409, 'distribution.error.calendar_not_checked', { year: String(beyond.year) });
  return retried(() =>
    deps.database.db.transaction().execute(async (trx): Promise<VoucherCommit> => {
      await sql`select pg_advisory_xact_lock(${DISTRIBUTION_LOCK})`.execute(trx);
      const before = await trx.selectFrom('voucher_runs').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
      if (before) return { repeated: true, summary: summaryOf(before) };
      if (opts.expectInputsHash !== undefined) {
        // a preview already committed (under another key): nothing to do again
        const same = await trx.selectFrom('voucher_runs').selectAll().where('inputs_hash', '=', opts.expectInputsHash).orderBy('id').executeTakeFirst();
        if (same) throw new VoucherPreviewStale(summaryOf(same));
      }
      const now = deps.clock.now();
      const today = almatyDate(now);
      const runDate = today.toString();
      const month = V.budgetMonth(today);
      const ratio = policy.primaryToGeneralRatio;
      const c = await compute(trx, runDate, month, ratio, true);
      const enc = encodeVoucherInputs({ month, quotas: c.quotas, runDate, ratio, places: c.places, read: c.read });
      if (opts.expectInputsHash !== undefined && enc.hash !== opts.expectInputsHash) throw new VoucherPreviewStale(null);
      const head = await publishHead(trx, deps.clock, 'distribution');
      const run = await trx
        .insertInto('voucher_runs')
        .values({
          ...byWhom(actor),
          idempotency_key: key,
          run_date: runDate,
          trigger: opts.trigger,
          month,
          started_at: toDate(now),
          committed_at: toDate(deps.clock.now()),
          ratio,
          places: c.places.length,
          vouchers: c.awards.length,
          applications_read: c.read.length,
          inputs: enc.gz,
          protocol: zlib.gzipSync(JSON.stringify(c.protocol), { level: 1 }),
          inputs_hash: enc.hash,
          result_hash: protocolHash(c.protocol),
          audit_head_seq: head.seq,
          audit_head_hash: head.hash,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const terms = V.issue(now, calendar, policy);
      await writeVouchers(trx, deps, actor, Number(run.id), c, month, terms);
      await audit(trx, deps.clock, actor, {
        action: 'voucher_run.committed',
        subjectType: 'voucher_run',
        subjectId: Number(run.id),
        data: { places: c.places.length, vouchers: c.awards.length, applicationsRead: c.read.length, inputsHash: enc.hash, resultHash: run.result_hash, auditHeadSeq: head.seq },
      });
      return { summary: summaryOf(run), repeated: false };
    }),
  );
}

export type VoucherPreviewCommit =
  /** Committed now. */
  | { kind: 'committed'; run: VoucherRunSummary }
  /** The same form again, or a run with those inputs already there: nothing committed; that run. */
  | { kind: 'already'; run: VoucherRunSummary }
  /** The queue, the places or the budget changed since the preview: nothing committed. */
  | { kind: 'changed' };

/**
 * Commit the run the department previewed on its page: the form carries the preview's inputs hash
 * and a key made when the page was rendered. The same form posted twice, or a second form of the
 * same preview, commits nothing and names the first run; inputs changed since commit nothing either.
 */
export async function commitVoucherPreview(deps: AppDeps, actor: Actor, form: { key: string; inputsHash: string }): Promise<VoucherPreviewCommit> {
  try {
    const res = await commitVoucherRun(deps, actor, { key: form.key, trigger: 'operator', expectInputsHash: form.inputsHash });
    return { kind: res.repeated ? 'already' : 'committed', run: res.summary };
  } catch (e) {
    if (!(e instanceof VoucherPreviewStale)) throw e;
    return e.run ? { kind: 'already', run: e.run } : { kind: 'changed' };
  }
}

/** Who committed a run, as its row records it. */
const byWhom = (actor: Actor) => (actor.kind === 'staff' ? { actor_kind: 'staff' as const, actor_id: actor.id } : { actor_kind: 'system' as const, actor_id: null });

/** A conflict with a concurrent change (a unique index, a serialisation failure) rolls everything back and the run starts again (4 tries). */
async function retried<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (!code || !RETRYABLE.has(code) || attempt >= 4) throw e;
    }
  }
}

/** The run's vouchers, one SMS each in the parent's language (and its e-mail copy), one audit entry each. */
async function writeVouchers(trx: Kysely<DB>, deps: AppDeps, actor: Actor, runId: number, c: Computed, month: string, terms: V.VoucherState): Promise<void> {
  if (c.awards.length === 0) return;
  const now = toDate(deps.clock.now());
  const year = almatyDate(deps.clock.now()).year;
  const awards = [...c.awards].sort((a, b) => a.birthYear - b.birthYear || a.queueNumber - b.queueNumber);
  const ins = await sql<{ id: number; number: string; application_id: number }>`
    insert into vouchers (number, application_id, birth_year, month, run_id, status, issued_at, consent_deadline, use_working_days, extra_working_days, restore_days)
    select 'V' || ${year}::int || '-' || lpad(nextval('voucher_number_seq')::text, 6, '0'), x.a, x.y, ${month}::date, ${runId}::bigint, 'issued', ${now}::timestamptz,
           ${terms.consentDeadline.toString()}::date, ${terms.useWorkingDays}::int, ${terms.extraWorkingDays}::int, ${terms.restoreDays}::int
      from unnest(${awards.map((a) => a.applicationId)}::bigint[], ${awards.map((a) => a.birthYear)}::int[]) with ordinality as x(a, y, i)
     order by x.i
    returning id, number, application_id`.execute(trx);
  const parentIds = [...new Set(ins.rows.map((r) => c.parentOf.get(Number(r.application_id))!))];
  const parents = await trx.selectFrom('parents').select(['id', 'phone1', 'lang', 'email']).where('id', 'in', parentIds).execute();
  const byId = new Map(parents.map((p) => [Number(p.id), p]));
  const date = terms.consentDeadline.toString();
  const lane = laneOf('voucher_issued');
  // the text differs only by the voucher's number: rendered once per language, the number put in
  const MARK = '{#}';
  const texts = new Map((['kk', 'ru', 'en'] as const).map((l) => [l, renderSms('voucher_issued', l, { number: MARK, date })]));
  const messages = ins.rows.map((r) => {
    const p = byId.get(c.parentOf.get(Number(r.application_id))!)!;
    return { parentId: Number(p.id), phone: p.phone1, lang: p.lang as Lang, template: 'voucher_issued', body: texts.get(p.lang)!.replaceAll(MARK, r.number), subjectType: 'voucher', subjectId: Number(r.id), email: p.email?.trim() || null };
  });
  await insertOutboxBulk(trx, now, lane, messages);
  await audit(
    trx,
    deps.clock,
    actor,
    ins.rows.map((r) => ({ action: 'voucher.issued', subjectType: 'voucher', subjectId: Number(r.id), data: { applicationId: Number(r.application_id), runId, consentDeadline: date } })),
  );
}

type RunRow = { id: number; run_date: string; month: string; committed_at: Date; places: number; vouchers: number; applications_read: number; inputs_hash: string; result_hash: string };

function summaryOf(r: RunRow): VoucherRunSummary {
  return {
    id: Number(r.id),
    runDate: r.run_date,
    month: r.month,
    committedAt: new Date(r.committed_at).toISOString(),
    places: r.places,
    vouchers: r.vouchers,
    applicationsRead: r.applications_read,
    inputsHash: r.inputs_hash,
    resultHash: r.result_hash,
  };
}

const RUN_COLUMNS = ['id', 'run_date', 'month', 'committed_at', 'places', 'vouchers', 'applications_read', 'inputs_hash', 'result_hash'] as const;

export async function listVoucherRuns(db: Kysely<DB>, limit = 50): Promise<VoucherRunSummary[]> {
  return (await db.selectFrom('voucher_runs').select(RUN_COLUMNS).orderBy('id', 'desc').limit(limit).execute()).map(summaryOf);
}

/** The stored public protocol of a run (anonymised: application numbers and queue numbers). */
export async function voucherProtocol(db: Kysely<DB>, runId: number): Promise<{ summary: VoucherRunSummary; protocol: V.VoucherProtocolCohort[] }> {
  const r = await db.selectFrom('voucher_runs').select([...RUN_COLUMNS, 'protocol']).where('id', '=', runId).executeTakeFirst();
  if (!r) throw notFound();
  return { summary: summaryOf(r), protocol: JSON.parse(zlib.gunzipSync(Buffer.from(r.protocol)).toString('utf8')) as V.VoucherProtocolCohort[] };
}

export interface VoucherReplay extends RunReplay {
  vouchersMatch: boolean;
  vouchers: number;
}

/** Replay: the stored inputs against their hash, the run recomputed from them with the pure rule, compared with the stored protocol and the vouchers in the database. */
export async function replayVoucherRun(db: Kysely<DB>, runId: number): Promise<VoucherReplay> {
  const run = await db.selectFrom('voucher_runs').select(['id', 'inputs', 'inputs_hash', 'result_hash', 'protocol']).where('id', '=', runId).executeTakeFirst();
  if (!run) throw notFound();
  const { inputs, hash } = decodeVoucherInputs(Buffer.from(run.inputs));
  const result = V.runVouchers(inputs.places.map(toVoucherPlace), inputs.read.map(toVoucherCandidate), inputs.quotas);
  const recomputed = protocolHash(result.protocol);
  const stored = JSON.parse(zlib.gunzipSync(Buffer.from(run.protocol)).toString('utf8')) as V.VoucherProtocolCohort[];
  const rows = await db.selectFrom('vouchers').select('application_id').where('run_id', '=', runId).execute();
  const want = new Set(result.awards.map((a) => a.applicationId));
  const vouchersMatch = rows.length === want.size && rows.every((r) => want.has(Number(r.application_id)));
  return replayReport(runId, run, { inputs: hash, result: recomputed, protocol: protocolHash(stored) }, { vouchersMatch, vouchers: result.awards.length }, vouchersMatch);
}

/** "Why not me yet": the application's place in the newest run of its cohort, by its number (anonymised protocol only). */
export async function whyNoVoucher(
  db: Kysely<DB>,
  applicationNumber: string,
): Promise<{ kind: 'awarded' } | { kind: 'passed'; reason: V.VoucherPassReason } | { kind: 'not_reached'; year: number; quota: number; last: number } | { kind: 'no_quota'; year: number } | null> {
  const app = await db.selectFrom('applications').select(['id', 'birth_year']).where('number', '=', applicationNumber).executeTakeFirst();
  if (!app) return null;
  const has = await db.selectFrom('vouchers').select('id').where('application_id', '=', app.id).where('status', 'in', ['issued', 'confirmed', 'used']).executeTakeFirst();
  if (has) return { kind: 'awarded' };
  const runs = await db.selectFrom('voucher_runs').select('id').orderBy('id', 'desc').limit(12).execute();
  for (const r of runs) {
    const { protocol } = await voucherProtocol(db, Number(r.id));
    const line = protocol.find((l) => l.birthYear === app.birth_year);
    if (!line) continue;
    if (line.awarded.some((a) => a.number === applicationNumber)) return { kind: 'awarded' };
    const passed = line.passedOver.find((p) => p.number === applicationNumber);
    if (passed) return { kind: 'passed', reason: passed.reason };
    if (line.awarded.length === 0) return { kind: 'no_quota', year: line.birthYear };
    return { kind: 'not_reached', year: line.birthYear, quota: line.awarded.length, last: line.awarded[line.awarded.length - 1]!.queueNumber };
  }
  return null;
}
