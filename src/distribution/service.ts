import crypto from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { AppDeps } from '../context.ts';
import type { DB } from '../db/schema.ts';
import { almatyDate, toDate } from '../clock.ts';
import { audit, type Actor } from '../audit/write.ts';
import { publishHead } from '../audit/seal.ts';
import { assertCan } from '../auth/permissions.ts';
import { AppError, notFound } from '../errors.ts';
import { referralDeadline } from '../domain/referral.ts';
import { isBeyondHorizon } from '../domain/calendar.ts';
import { regimeOnDay } from '../settings/regime.ts';
import { laneOf } from '../sms/templates.ts';
import { mailSubject } from '../mail/outbox.ts';
import { distributeOrdered, PASS_REASONS, type Ordered, type PassReason } from '../domain/distribution.ts';
import { renderSms } from '../sms/templates.ts';
import { computeDistribution, profiler, type Computed } from './compute.ts';
import { decodeInputs, decodeProtocol, encodeInputs, encodeProtocol, publicEntry, resultHash, type PublicEntry } from './inputs.ts';

/** Advisory-lock key: one committing run at a time for the city (the audit sealer uses 7_211_001). */
export const DISTRIBUTION_LOCK = 7_211_100;
const RETRYABLE = new Set(['23505', '40001', '40P01']);

export type Trigger = 'operator' | 'scheduled' | 'cli';

export interface RunSummary {
  id: number | null;
  idempotencyKey: string | null;
  trigger: Trigger | null;
  runDate: string;
  committedAt: string | null;
  ratio: number;
  places: number;
  referrals: number;
  applicationsRead: number;
  inputsHash: string;
  resultHash: string;
  auditHead: { seq: number; hash: string } | null;
  reasonCounts: Record<PassReason, number>;
}

export interface Preview {
  summary: RunSummary;
  protocol: PublicEntry[];
}

function totals(protocol: readonly { reasonCounts: Record<PassReason, number> }[]): Record<PassReason, number> {
  const t = Object.fromEntries(PASS_REASONS.map((r) => [r, 0])) as Record<PassReason, number>;
  for (const e of protocol) for (const r of PASS_REASONS) t[r] += e.reasonCounts[r];
  return t;
}

function assertMayRun(actor: Actor): void {
  if (actor.kind !== 'system') assertCan(actor, 'distribution.run');
}

/** What a run would do now: the referrals it would issue and its protocol. Writes nothing. */
export async function previewDistribution(deps: AppDeps, actor: Actor, tuning: { headPerPlace?: number } = {}): Promise<Preview> {
  assertMayRun(actor);
  const policy = await deps.city.getPolicy();
  const runDate = almatyDate(deps.clock.now()).toString();
  const c = await deps.database.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute((trx) => computeDistribution(trx, { today: runDate, ratio: policy.primaryToGeneralRatio, startMarginDays: policy.desiredStartMarginDays, lock: false, ...tuning }));
  const protocol = c.protocol.map(publicEntry);
  const enc = encodeInputs({ v: 1, runDate, ratio: policy.primaryToGeneralRatio, startMarginDays: policy.desiredStartMarginDays, places: c.places, candidates: c.read });
  return {
    summary: {
      id: null,
      idempotencyKey: null,
      trigger: null,
      runDate,
      committedAt: null,
      ratio: policy.primaryToGeneralRatio,
      places: c.places.length,
      referrals: c.assignments.length,
      applicationsRead: c.read.length,
      inputsHash: enc.hash,
      resultHash: resultHash(protocol),
      auditHead: null,
      reasonCounts: totals(protocol),
    },
    protocol,
  };
}

export interface CommitResult {
  summary: RunSummary;
  /** True when a run with this key already existed: nothing was changed. */
  repeated: boolean;
}

/**
 * Commit a run: in ONE transaction (under the distribution lock) write the run, its protocol, the
 * referrals with their deadlines, take the places, queue one SMS per referral and write the audit
 * entries. A repeated key returns the earlier run. A conflict with a concurrent change (a unique
 * index, a serialisation failure) rolls everything back and the run starts again.
 */
export async function commitDistribution(
  deps: AppDeps,
  actor: Actor,
  opts: { key?: string | undefined; trigger: Trigger; headPerPlace?: number; expectInputsHash?: string },
): Promise<CommitResult> {
  assertMayRun(actor);
  const key = opts.key ?? `${opts.trigger}:${crypto.randomUUID()}`;
  if (key.length < 1 || key.length > 200) throw new AppError('invalid_key', 400, 'distribution.error.invalid_key');
  const [policy, calendar] = [await deps.city.getPolicy(), await deps.city.getCalendar()];
  // under the voucher regime a voucher run (src/vouchers/run.ts) replaces the distribution
  if ((await regimeOnDay(deps)) === 'voucher') throw new AppError('regime_voucher', 409, 'vouchers.error.regime_voucher');
  // a referral's deadline past the checked years is not computed from guesses: nothing is issued
  const beyond = calendar.within(referralDeadline(deps.clock.now(), calendar, policy));
  if (isBeyondHorizon(beyond)) throw new AppError('calendar_not_checked', 409, 'distribution.error.calendar_not_checked', { year: String(beyond.year) });
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.database.db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${DISTRIBUTION_LOCK})`.execute(trx);
        const existing = await trx.selectFrom('distribution_runs').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
        if (existing) return { summary: summaryOf(existing), repeated: true };
        if (opts.expectInputsHash !== undefined) {
          // a preview already committed (under another key): nothing to do again
          const same = await trx.selectFrom('distribution_runs').select(RUN_COLUMNS).where('inputs_hash', '=', opts.expectInputsHash).orderBy('id').executeTakeFirst();
          if (same) throw new PreviewStale(summaryOf(same));
        }
        const now = deps.clock.now();
        const runDate = almatyDate(now).toString();
        const started = toDate(now);
        const ratio = policy.primaryToGeneralRatio;
        const c = await computeDistribution(trx, { today: runDate, ratio, startMarginDays: policy.desiredStartMarginDays, lock: true, ...(opts.headPerPlace === undefined ? {} : { headPerPlace: opts.headPerPlace }) });
        const lap = profiler();
        const head = await publishHead(trx, deps.clock, 'distribution');
        // The run row first (the referrals refer to it), with its inputs, protocol and hashes filled
        // in at the end of this same transaction: their encoding (CPU here) then overlaps the
        // database's work on the first of the writes (nothing outside the transaction sees the row).
        const placeholder = await trx
          .insertInto('distribution_runs')
          .values({
            idempotency_key: key,
            trigger: opts.trigger,
            actor_kind: actor.kind === 'staff' ? 'staff' : 'system',
            actor_id: actor.kind === 'staff' ? actor.id : null,
            run_date: runDate,
            started_at: started,
            committed_at: toDate(deps.clock.now()),
            ratio,
            places: c.places.length,
            referrals: c.assignments.length,
            applications_read: c.read.length,
            inputs: Buffer.alloc(0),
            protocol: Buffer.alloc(0),
            inputs_hash: '',
            result_hash: '',
            audit_head_seq: head.seq,
            audit_head_hash: head.hash,
            reason_counts: '{}',
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        lap('run row');
        const deadline = referralDeadline(now, calendar, policy).toString();
        const writing = writeResults(trx, deps, actor, placeholder.id, c, deadline, policy.referralValidWorkingDays);
        writing.catch(() => {}); // its failure is thrown by the await below, not reported as unhandled meanwhile
        await new Promise((resolve) => setImmediate(resolve)); // let the first write reach the database
        const protocol = c.protocol.map(publicEntry);
        const enc = encodeInputs({ v: 1, runDate, ratio, startMarginDays: policy.desiredStartMarginDays, places: c.places, candidates: c.read });
        const encodedProtocol = encodeProtocol(protocol);
        const reasonCounts = totals(protocol);
        const result = resultHash(protocol);
        lap('encode inputs and protocol (while the referrals are written)');
        await writing;
        // Bound to a preview: the inputs read now must be the previewed ones, or nothing is committed
        // (thrown inside the transaction: the run, its referrals and SMS roll back).
        if (opts.expectInputsHash !== undefined && enc.hash !== opts.expectInputsHash) throw new PreviewStale(null);
        lap('referrals, places, SMS, audit');
        const run = await trx
          .updateTable('distribution_runs')
          .set({ inputs: enc.gz, protocol: encodedProtocol, inputs_hash: enc.hash, result_hash: result, reason_counts: JSON.stringify(reasonCounts) })
          .where('id', '=', placeholder.id)
          .returning(RUN_COLUMNS)
          .executeTakeFirstOrThrow();
        lap('run row completed');
        await audit(trx, deps.clock, actor, {
          action: 'distribution.committed',
          subjectType: 'distribution_run',
          subjectId: run.id,
          data: { places: c.places.length, referrals: c.assignments.length, applicationsRead: c.read.length, inputsHash: enc.hash, resultHash: run.result_hash, auditHeadSeq: head.seq },
        });
        return { summary: summaryOf(run), repeated: false };
      });
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code && RETRYABLE.has(code) && attempt < 4) continue;
      throw e;
    }
  }
}

/** A commit bound to a preview that no longer holds: `run` is the run that committed it, or null when the inputs changed since. */
export class PreviewStale extends Error {
  constructor(public readonly run: RunSummary | null) {
    super(run ? 'preview already committed' : 'inputs changed since the preview');
  }
}

export type PreviewCommit =
  /** Committed now. */
  | { kind: 'committed'; run: RunSummary }
  /** This preview was committed before (the same form sent again, or its inputs are a run's): nothing done. */
  | { kind: 'already'; run: RunSummary }
  /** The queue or the places changed since the preview: nothing done; `latest` is the newest run, if any. */
  | { kind: 'changed'; latest: RunSummary | null };

/**
 * Commit the run an operator previewed: the form carries the preview's inputs hash and a key. The
 * same key again, or a run with those inputs already there, commits nothing and names that run;
 * inputs that changed since the preview commit nothing either (the operator previews again).
 */
export async function commitPreview(deps: AppDeps, actor: Actor, form: { key: string; inputsHash: string }): Promise<PreviewCommit> {
  try {
    const res = await commitDistribution(deps, actor, { key: form.key, trigger: 'operator', expectInputsHash: form.inputsHash });
    return res.repeated ? { kind: 'already', run: res.summary } : { kind: 'committed', run: res.summary };
  } catch (e) {
    if (!(e instanceof PreviewStale)) throw e;
    if (e.run) return { kind: 'already', run: e.run };
    return { kind: 'changed', latest: (await listRuns(deps.database.db, 1))[0] ?? null };
  }
}

/**
 * The run's writes, one statement per table: referrals (numbers from referral_number_seq), places
 * taken (guarded: each must still be open), the protocol, the SMS outbox, the audit entries.
 */
async function writeResults(trx: Kysely<DB>, deps: AppDeps, actor: Actor, runId: number, c: Computed, deadline: string, days: number): Promise<void> {
  const lap = profiler();
  const now = toDate(deps.clock.now());
  const year = almatyDate(deps.clock.now()).year;
  if (c.assignments.length === 0) return;
  let refs: { rows: { id: number; number: string; application_id: number; place_id: number }[] };
  {
    // In place order (referral numbers follow the place ids); one row per assignment from unnest() arrays.
    const asg = [...c.assignments].sort((a, b) => a.placeId - b.placeId);
    const ins = await sql<{ id: number; number: string; application_id: number }>`
      insert into referrals (number, application_id, organisation_id, group_id, status, issued_at, issued_by, run_id, deadline, kind)
      select 'R' || ${year}::int || '-' || lpad(nextval('referral_number_seq')::text, 6, '0'), x.a, x.o, x.g, 'issued', ${now}::timestamptz,
             ${actor.kind === 'staff' ? actor.id : null}::bigint, ${runId}::bigint, ${deadline}::date,
             -- a transfer request (src/transfers/) gets a transfer referral
             case when ap.transfer_of is null then 'distribution' else 'transfer' end
        from unnest(${asg.map((a) => a.applicationId)}::bigint[], ${asg.map((a) => a.organisationId)}::bigint[], ${asg.map((a) => a.groupId)}::bigint[])
             as x(a, o, g)
        join applications ap on ap.id = x.a
      returning id, number, application_id`.execute(trx);
    const placeOf = new Map(asg.map((a) => [a.applicationId, a.placeId]));
    refs = { rows: ins.rows.map((r) => ({ id: Number(r.id), number: r.number, application_id: Number(r.application_id), place_id: placeOf.get(Number(r.application_id))! })) };
    lap('  referrals inserted');
    const taken = await sql`
      update free_places f set status = 'taken', referral_id = x.r, taken_at = ${now}::timestamptz
        from unnest(${refs.rows.map((r) => r.place_id)}::bigint[], ${refs.rows.map((r) => r.id)}::bigint[]) as x(p, r)
       where f.id = x.p and f.status = 'open'`.execute(trx);
    lap('  places taken');
    if (Number(taken.numAffectedRows ?? 0) !== c.assignments.length) throw Object.assign(new Error('a place was taken meanwhile'), { code: '40001' });
  }
  // SMS: one per referral, in the parent's language, to the first phone. The text differs only by
  // the referral number once the language and organisation are fixed: each (language, organisation)
  // text is rendered once, and each referral's text is that one with its number put in.
  const orgIds = [...new Set(c.assignments.map((a) => a.organisationId))];
  const orgs = await trx.selectFrom('organisations').select(['id', 'name_kk', 'name_ru']).where('id', 'in', orgIds).execute();
  const MARK = '{#}';
  const texts = new Map<string, string>();
  for (const o of orgs)
    for (const l of ['kk', 'ru', 'en'] as const)
      texts.set(`${Number(o.id)}:${l}`, renderSms('referral_issued', l, { number: MARK, organisation: { kk: o.name_kk, ru: o.name_ru }, date: deadline, days }));
  // The parents by id (the queue read gave each application's parent): one look-up per recipient's parent.
  const parentIds = refs.rows.map((r) => c.parentOf.get(r.application_id)!);
  const parents = await sql<{ id: number; phone1: string; lang: 'kk' | 'ru' | 'en'; email: string | null }>`
    select p.id, p.phone1, p.lang, nullif(trim(p.email), '') as email from parents p where p.id = any(${[...new Set(parentIds)]}::bigint[])`.execute(trx);
  const byId = new Map(parents.rows.map((r) => [Number(r.id), r]));
  const parentOf = new Map(refs.rows.map((r, i) => [r.application_id, { ...byId.get(parentIds[i]!)!, parent_id: parentIds[i]! }]));
  const orgOf = new Map(c.assignments.map((a) => [a.applicationId, a.organisationId]));
  const sms = [...refs.rows]
    .sort((a, b) => a.id - b.id)
    .flatMap((r) => {
      const p = parentOf.get(r.application_id);
      const body = p && texts.get(`${orgOf.get(r.application_id)}:${p.lang}`);
      return p && body !== undefined ? [{ parent: Number(p.parent_id), phone: p.phone1, lang: p.lang, email: p.email, body: body.replaceAll(MARK, r.number), ref: r.id }] : [];
    });
  const lane = laneOf('referral_issued');
  await sql`
    insert into sms_outbox (parent_id, phone, lang, template, body, status, next_attempt_at, created_at, subject_type, subject_id, lane)
    select x.parent, x.phone, x.lang, 'referral_issued', x.body, 'pending', ${now}::timestamptz, ${now}::timestamptz, 'referral', x.ref, ${lane}
      from unnest(${sms.map((m) => m.parent)}::bigint[], ${sms.map((m) => m.phone)}::text[], ${sms.map((m) => m.lang)}::text[], ${sms.map((m) => m.body)}::text[],
                  ${sms.map((m) => m.ref)}::bigint[]) with ordinality as x(parent, phone, lang, body, ref, i)
     order by x.i`.execute(trx);
  // the e-mail copies, for the parents who gave an address (src/mail/outbox.ts)
  const mails = sms.filter((m) => m.email !== null);
  if (mails.length > 0)
    await sql`
    insert into sms_outbox (channel, email, subject, parent_id, phone, lang, template, body, status, next_attempt_at, created_at, subject_type, subject_id, lane)
    select 'email', x.email, x.subject, x.parent, x.phone, x.lang, 'referral_issued', x.body, 'pending', ${now}::timestamptz, ${now}::timestamptz, 'referral', x.ref, ${lane}
      from unnest(${mails.map((m) => m.email)}::text[], ${mails.map((m) => mailSubject(m.body, m.lang))}::text[], ${mails.map((m) => m.parent)}::bigint[], ${mails.map((m) => m.phone)}::text[],
                  ${mails.map((m) => m.lang)}::text[], ${mails.map((m) => m.body)}::text[], ${mails.map((m) => m.ref)}::bigint[]) with ordinality as x(email, subject, parent, phone, lang, body, ref, i)
     order by x.i`.execute(trx);
  lap('  SMS queued');
  // Audit: one entry per referral (ids only), the same shape as a referral issued by hand.
  await sql`
    insert into audit_log (at, actor_kind, actor_id, action, subject_type, subject_id, data)
    select ${now}::timestamptz, ${actor.kind === 'staff' ? 'staff' : 'system'}, ${actor.kind === 'staff' ? actor.id : null}::bigint, 'referral.issued', 'referral', r.id,
           jsonb_build_object('applicationId', r.application_id, 'groupId', r.group_id, 'organisationId', r.organisation_id, 'freePlaceId', f.id,
                              'deadline', r.deadline::text, 'runId', r.run_id)
      from referrals r join free_places f on f.referral_id = r.id
     where r.run_id = ${runId}
     order by r.id`.execute(trx);
  lap('  audit written');
}

type RunRow = {
  id: number;
  idempotency_key: string;
  trigger: Trigger;
  run_date: string;
  committed_at: Date;
  ratio: number;
  places: number;
  referrals: number;
  applications_read: number;
  inputs_hash: string;
  result_hash: string;
  audit_head_seq: number;
  audit_head_hash: string;
  reason_counts: Record<string, number>;
};

export function summaryOf(r: RunRow): RunSummary {
  return {
    id: r.id,
    idempotencyKey: r.idempotency_key,
    trigger: r.trigger,
    runDate: r.run_date,
    committedAt: new Date(r.committed_at).toISOString(),
    ratio: r.ratio,
    places: r.places,
    referrals: r.referrals,
    applicationsRead: r.applications_read,
    inputsHash: r.inputs_hash,
    resultHash: r.result_hash,
    auditHead: { seq: Number(r.audit_head_seq), hash: r.audit_head_hash },
    reasonCounts: Object.fromEntries(PASS_REASONS.map((k) => [k, Number(r.reason_counts[k] ?? 0)])) as Record<PassReason, number>,
  };
}

const RUN_COLUMNS = [
  'id',
  'idempotency_key',
  'trigger',
  'run_date',
  'committed_at',
  'ratio',
  'places',
  'referrals',
  'applications_read',
  'inputs_hash',
  'result_hash',
  'audit_head_seq',
  'audit_head_hash',
  'reason_counts',
] as const;

export async function listRuns(db: Kysely<DB>, limit = 50): Promise<RunSummary[]> {
  const rows = await db.selectFrom('distribution_runs').select(RUN_COLUMNS).orderBy('id', 'desc').limit(limit).execute();
  return rows.map(summaryOf);
}

export async function getRun(db: Kysely<DB>, id: number): Promise<RunSummary> {
  const r = await db.selectFrom('distribution_runs').select(RUN_COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!r) throw notFound();
  return summaryOf(r);
}

/** Protocols are immutable once committed: the last few read are kept decoded. */
const protocolCache = new Map<string, PublicEntry[]>();

/** The stored protocol of a run, places by id. */
export async function readProtocol(db: Kysely<DB>, runId: number): Promise<PublicEntry[]> {
  const r = await db.selectFrom('distribution_runs').select(['protocol', 'result_hash']).where('id', '=', runId).executeTakeFirst();
  if (!r) throw notFound();
  const key = `${runId}:${r.result_hash}:${r.protocol.length}`;
  const hit = protocolCache.get(key);
  if (hit) return hit;
  const entries = decodeProtocol(Buffer.from(r.protocol));
  protocolCache.set(key, entries);
  if (protocolCache.size > 8) protocolCache.delete(protocolCache.keys().next().value!);
  return entries;
}

/** What every replay of a run (a distribution's, a voucher run's) checks and says. */
export interface RunReplay {
  runId: number;
  /** Every check passed. */
  ok: boolean;
  inputsHash: { stored: string; computed: string; ok: boolean };
  resultHash: { stored: string; recomputed: string; ok: boolean };
  /** The stored protocol rows hash to the stored result hash. */
  protocolMatches: boolean;
}

/**
 * A replay's report: the stored inputs' hash against the one computed from them, the recomputed result's
 * hash and the stored protocol's against the stored result hash, with the kind's own checks (`extra`,
 * all of which passed when `extraOk`).
 */
export function replayReport<X extends object>(
  runId: number,
  stored: { inputs_hash: string; result_hash: string },
  hashes: { inputs: string; result: string; protocol: string },
  extra: X,
  extraOk: boolean,
): RunReplay & X {
  const inputsHash = { stored: stored.inputs_hash, computed: hashes.inputs, ok: hashes.inputs === stored.inputs_hash };
  const resultHash = { stored: stored.result_hash, recomputed: hashes.result, ok: hashes.result === stored.result_hash };
  const protocolMatches = hashes.protocol === stored.result_hash;
  return { runId, ok: inputsHash.ok && resultHash.ok && protocolMatches && extraOk, inputsHash, resultHash, protocolMatches, ...extra };
}

export interface ReplayReport extends RunReplay {
  /** The referrals in the database with this run id are exactly the recomputed ones. */
  referralsMatch: boolean;
  /** The stored queue numbers agree with each tier's time order. */
  orderConsistent: boolean;
  referrals: number;
}

/**
 * Replay a run: check the stored inputs against their hash, recompute the run from them with the
 * pure rule, and compare with the stored result hash, the stored protocol and the referrals in the
 * database. Any altered input, protocol row or referral makes it fail.
 */
export async function replayRun(db: Kysely<DB>, runId: number): Promise<ReplayReport> {
  const run = await db.selectFrom('distribution_runs').select(['id', 'inputs', 'inputs_hash', 'result_hash']).where('id', '=', runId).executeTakeFirst();
  if (!run) throw notFound();
  const { inputs, hash } = decodeInputs(Buffer.from(run.inputs));
  const queues = new Map<number, Ordered[]>();
  for (const o of inputs.candidates) {
    const q = queues.get(o.c.birthYear);
    if (q) q.push(o);
    else queues.set(o.c.birthYear, [o]);
  }
  for (const q of queues.values()) q.sort((a, b) => a.queueNumber - b.queueNumber);
  const orderConsistent = [...queues.values()].every(consistentOrder);
  const result = distributeOrdered(inputs.places, queues, inputs.startMarginDays ?? null);
  const recomputed = resultHash(result.protocol.map(publicEntry));
  const stored = await readProtocol(db, runId);
  const refs = await db.selectFrom('referrals').select(['application_id', 'group_id']).where('run_id', '=', runId).execute();
  const key = (a: number, g: number) => `${a}:${g}`;
  const want = new Set(result.assignments.map((a) => key(a.applicationId, a.groupId)));
  const referralsMatch = refs.length === want.size && refs.every((r) => want.has(key(r.application_id, r.group_id)));
  return replayReport(runId, run, { inputs: hash, result: recomputed, protocol: resultHash(stored) }, { referralsMatch, orderConsistent, referrals: result.assignments.length }, referralsMatch && orderConsistent);
}

/**
 * The stored queue numbers agree with the order of service: distinct, and within each tier growing
 * with application time then id (a tier's order can only be its own time order).
 */
function consistentOrder(q: readonly Ordered[]): boolean {
  const last = new Map<string, Ordered>();
  for (let i = 0; i < q.length; i++) {
    if (i > 0 && q[i]!.queueNumber <= q[i - 1]!.queueNumber) return false;
    const prev = last.get(q[i]!.c.tier);
    if (prev && (prev.c.appliedAt > q[i]!.c.appliedAt || (prev.c.appliedAt === q[i]!.c.appliedAt && prev.c.id > q[i]!.c.id))) return false;
    last.set(q[i]!.c.tier, q[i]!);
  }
  return true;
}
