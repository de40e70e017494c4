import { sql, type Selectable } from 'kysely';
import { Temporal } from 'temporal-polyfill';
import type { AppDeps } from '../context.ts';
import type { Actor, AuditEntry } from '../audit/write.ts';
import { assertCan, assertOrganisationInScope, scopeDistrictId, scopeOrganisationId } from '../auth/permissions.ts';
import { almatyDate, toDate } from '../clock.ts';
import { AppError, forbidden, notFound } from '../errors.ts';
import type { MessageKey } from '../web/i18n/index.ts';
import { mapConstraint, useCase, type Trx, type UseCaseScope } from '../usecase.ts';
import { exchangeDays, exchangeProblem, type ExchangeSide } from '../domain/exchange.ts';
import type { ExchangeCloseReason, ExchangeStatus, ExchangesTable } from '../db/schema.ts';
import { enqueueKindergartenSms } from '../sms/outbox.ts';
import type { SmsParams, SmsTemplate } from '../sms/templates.ts';
import { issueCode, keys, phonesWithinBudget, tryCode } from '../auth/parent-signin.ts';
import { otpKey } from '../auth/otp-key.ts';
import { nameColumns, nameOf, placedChildren } from '../db/fragments.ts';
import { fullName } from '../domain/names.ts';

/**
 * Exchange of places (issue 15, item 3; DOMAIN.md "After the kindergarten door"; docs/TRANSFERS.md
 * "Exchange of places"): two placed children of fitting groups swap places by mutual consent.
 *
 * - Parent A proposes in the cabinet, naming the other child's application number (`proposeExchange`).
 * - Parent B sees it in the cabinet, asks for a one-time password by SMS (`sendExchangeCode`) and
 *   confirms with it (`confirmExchange`).
 * - The department approves or refuses (`decideExchange`) when the city's policy `exchangeApproval` is
 *   'department'; with 'none' the confirmation is the last consent.
 * - Either family cancels before the last consent or approval (`cancelExchange`).
 *
 * The last consent or approval moves both children in one transaction (`conclude`): both old placements
 * end ('exchanged') on the day, both new placements start the next day (the transfer's rule), and every
 * other open exchange of either old placement is closed ('superseded'). The use cases that may conclude
 * lock the two groups' rows first, lowest id first, then the exchange: two crossing exchanges (A↔B and
 * B↔C) are serialised by B's group and the second finds its exchange closed — no deadlock, no double move.
 *
 * Every step is audited and told by SMS (the outbox) to both parents and to both kindergartens that have
 * a phone number; both kindergartens see the exchange on /staff/exchanges, the parents in the cabinet.
 */

export const exchangeError = (code: string, status = 409): AppError => new AppError(code, status, `exchanges.error.${code}` as MessageKey);

mapConstraint('exchanges_one_open_per_pair', () => exchangeError('already_open'));

const OPEN: ExchangeStatus[] = ['proposed', 'confirmed'];

interface SideRow extends ExchangeSide {
  childId: number;
  applicationId: number;
  applicationNumber: string;
  parentId: number;
  startsOn: string;
  endsOn: string | null;
  contractId: number | null;
}

/** The placement (with its child, application and group) found by `where`; locked when asked. */
async function loadSide(trx: Trx, by: { placementId: number } | { applicationId: number } | { applicationNumber: string }, lock = false): Promise<SideRow | undefined> {
  let q = placedChildren(trx)
    .innerJoin('applications as a', 'a.id', 'p.application_id')
    .select([
      'p.id',
      'p.child_id',
      'p.application_id',
      'p.organisation_id',
      'p.starts_on',
      'p.ends_on',
      'p.contract_id',
      'a.number',
      'a.parent_id',
      'c.birth_date',
      'g.id as group_id',
      'g.birth_year',
      'g.birth_year_max',
      'g.language',
      'g.type',
    ]);
  if ('placementId' in by) q = q.where('p.id', '=', by.placementId);
  else {
    q = q.where('p.ends_on', 'is', null);
    q = 'applicationId' in by ? q.where('p.application_id', '=', by.applicationId) : q.where('a.number', '=', by.applicationNumber);
  }
  if (lock) q = q.forUpdate('p');
  const r = await q.executeTakeFirst();
  if (!r) return undefined;
  return {
    placementId: r.id,
    childId: r.child_id,
    applicationId: r.application_id,
    applicationNumber: r.number,
    parentId: r.parent_id,
    organisationId: r.organisation_id,
    birthYear: Number(r.birth_date.slice(0, 4)),
    group: { id: r.group_id, birthYear: r.birth_year, birthYearMax: r.birth_year_max, language: r.language, type: r.type },
    startsOn: r.starts_on,
    endsOn: r.ends_on,
    contractId: r.contract_id,
  };
}

/** A child already on its way elsewhere cannot also swap: an open transfer request, a pending leaving request, a recorded leaving. */
async function busyProblem(trx: Trx, s: SideRow): Promise<string | null> {
  if (s.endsOn !== null) return 'placement_ended';
  const transfer = await trx.selectFrom('applications').select('id').where('transfer_of', '=', s.placementId).where('status', 'in', ['queued', 'inactive']).executeTakeFirst();
  if (transfer) return 'transfer_open';
  const leaving = await trx.selectFrom('leaving_requests').select('id').where('placement_id', '=', s.placementId).where('status', '=', 'pending').executeTakeFirst();
  if (leaving) return 'leaving_pending';
  return null;
}

const orgNames = async (trx: Trx, id: number): Promise<{ kk: string; ru: string }> => {
  const o = await trx.selectFrom('organisations').select(['name_kk', 'name_ru']).where('id', '=', id).executeTakeFirstOrThrow();
  return { kk: o.name_kk, ru: o.name_ru };
};

/** An SMS to a kindergarten's phone (when it has one), in its first language of instruction. */
async function smsKindergarten(u: Pick<UseCaseScope, 'trx' | 'deps'>, organisationId: number, template: SmsTemplate, params: SmsParams, exchangeId: number): Promise<void> {
  await enqueueKindergartenSms(u.trx, u.deps.clock, { organisationId, template, params, subjectType: 'exchange', subjectId: exchangeId });
}

/** The columns of an exchange its steps read (EXCHANGE_COLUMNS). */
type ExchangeRow = Pick<Selectable<ExchangesTable>, (typeof EXCHANGE_COLUMNS)[number]>;

const EXCHANGE_COLUMNS = ['id', 'status', 'placement_a', 'placement_b', 'parent_a', 'parent_b', 'organisation_a', 'organisation_b'] as const;

/** Both families and both kindergartens hear of a step. Parents' templates get the other kindergarten's name (or `date`). */
async function tellAll(
  u: UseCaseScope,
  e: ExchangeRow,
  parents: { template: SmsTemplate; date?: { a: string; b: string } } | null,
  kindergartens: { template: SmsTemplate; date?: { a: string; b: string } } | null,
): Promise<void> {
  const number = String(e.id);
  const [orgA, orgB] = [await orgNames(u.trx, e.organisation_a), await orgNames(u.trx, e.organisation_b)];
  if (parents) {
    await u.sms({ parentId: e.parent_a, template: parents.template, params: { number, organisation: orgB, ...(parents.date ? { date: parents.date.a } : {}) }, subjectType: 'exchange', subjectId: e.id });
    await u.sms({ parentId: e.parent_b, template: parents.template, params: { number, organisation: orgA, ...(parents.date ? { date: parents.date.b } : {}) }, subjectType: 'exchange', subjectId: e.id });
  }
  if (kindergartens) {
    await smsKindergarten(u, e.organisation_a, kindergartens.template, { number, organisation: orgB, ...(kindergartens.date ? { date: kindergartens.date.b } : {}) }, e.id);
    await smsKindergarten(u, e.organisation_b, kindergartens.template, { number, organisation: orgA, ...(kindergartens.date ? { date: kindergartens.date.a } : {}) }, e.id);
  }
}

/** Close an open exchange (cancelled or refused), audited and told to everyone. Guarded on its state. */
async function close(u: UseCaseScope, e: ExchangeRow, how: { status: 'cancelled' | 'refused'; closeReason: ExchangeCloseReason; parentId?: number; reason?: string | null }): Promise<void> {
  const at = toDate(u.now);
  const r = await u.trx
    .updateTable('exchanges')
    .set({
      status: how.status,
      closed_at: at,
      close_reason: how.closeReason,
      closed_by_parent: how.parentId ?? null,
      reason: how.reason ?? null,
      ...(how.status === 'refused' ? { decided_at: at, decided_by: u.actor.kind === 'staff' ? u.actor.id : null } : {}),
    })
    .where('id', '=', e.id)
    .where('status', 'in', OPEN)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) throw exchangeError('closed');
  await u.audit({ action: how.status === 'refused' ? 'exchange.refused' : 'exchange.cancelled', subjectType: 'exchange', subjectId: e.id, reason: how.reason ?? null, data: { closeReason: how.closeReason, from: e.status } });
  await tellAll(u, e, { template: how.status === 'refused' ? 'exchange_refused' : 'exchange_cancelled' }, { template: 'exchange_kg_closed' });
}

// ---------------------------------------------------------------------------------------------
// the families

/**
 * Parent A proposes to swap the place of the placed child of `applicationId` (their application whose
 * placement is active) with the placed child of application `otherNumber`. Refused, with nothing
 * written, when the other is not a placed child, when the two do not fit, or when either child is on
 * its way elsewhere (an open transfer request, a leaving) — each with its translated reason.
 */
export async function proposeExchange(deps: AppDeps, actor: Actor, applicationId: number, otherNumber: string): Promise<{ exchangeId: number }> {
  return useCase(deps, actor, { permission: 'exchange.propose' }, async (u) => {
    const a = await loadSide(u.trx, { applicationId });
    if (!a) throw notFound();
    u.assertParent(a.parentId);
    const number = otherNumber.trim();
    if (!number) throw exchangeError('number_required', 400);
    const found = await loadSide(u.trx, { applicationNumber: number });
    if (!found) throw exchangeError('other_not_placed', 400);
    if (found.childId === a.childId) throw exchangeError('same_placement', 400);
    // both placements locked (lowest id first, as the move does) and read again: a proposal never names
    // a placement that a concurrent leaving, transfer or exchange has just ended
    await sql`select id from placements where id in (${a.placementId}, ${found.placementId}) order by id for update`.execute(u.trx);
    const b = (await loadSide(u.trx, { placementId: found.placementId }))!;
    if ((await loadSide(u.trx, { placementId: a.placementId }))!.endsOn !== null) throw notFound();
    const problem = exchangeProblem(a, b);
    if (problem) throw exchangeError(problem, 400);
    for (const [s, who] of [[a, 'mine'], [b, 'other']] as const) {
      const busy = await busyProblem(u.trx, s);
      if (busy) throw exchangeError(`${busy}_${who}`);
    }
    const row = await u.trx
      .insertInto('exchanges')
      .values({
        status: 'proposed',
        placement_a: a.placementId,
        placement_b: b.placementId,
        parent_a: a.parentId,
        parent_b: b.parentId,
        organisation_a: a.organisationId,
        organisation_b: b.organisationId,
        proposed_at: toDate(u.now),
      })
      .returning(EXCHANGE_COLUMNS)
      .executeTakeFirstOrThrow();
    await u.audit({ action: 'exchange.proposed', subjectType: 'exchange', subjectId: row.id, data: { placementA: a.placementId, placementB: b.placementId, organisationA: a.organisationId, organisationB: b.organisationId } });
    const number_ = String(row.id);
    await u.sms({ parentId: a.parentId, template: 'exchange_proposed', params: { number: number_ }, subjectType: 'exchange', subjectId: row.id });
    await u.sms({ parentId: b.parentId, template: 'exchange_offer', params: { number: number_, organisation: await orgNames(u.trx, a.organisationId) }, subjectType: 'exchange', subjectId: row.id });
    await tellAll(u, row, null, { template: 'exchange_kg_proposed' });
    return { exchangeId: row.id };
  });
}

/** The exchange a parent is a party of (404 for anyone else's). */
async function partyExchange(trx: Trx, actor: Actor, id: number, lock: boolean): Promise<ExchangeRow & { side: 'a' | 'b' }> {
  let q = trx.selectFrom('exchanges').select(EXCHANGE_COLUMNS).where('id', '=', id);
  if (lock) q = q.forUpdate();
  const e = await q.executeTakeFirst();
  if (!e || actor.kind !== 'parent' || (e.parent_a !== actor.id && e.parent_b !== actor.id)) throw notFound();
  return { ...e, side: e.parent_a === actor.id ? 'a' : 'b' };
}

/**
 * Parent B asks for the one-time password that confirms their consent: sent by SMS to the phones of the
 * application, within the same destination budget as every one-time password (otpMaxPerPhonePerHour,
 * PerDay), at most once per otpResendSeconds; a new code burns the earlier one.
 */
export async function sendExchangeCode(deps: AppDeps, actor: Actor, id: number, address: string): Promise<{ validMinutes: number }> {
  assertCan(actor, 'exchange.propose');
  const parent = actor.kind === 'parent' && actor.id ? await deps.database.db.selectFrom('parents').select(['iin']).where('id', '=', actor.id).executeTakeFirst() : undefined;
  if (!parent) throw forbidden();
  const k = await keys(deps, parent.iin, address);
  return useCase(deps, actor, { permission: 'exchange.propose' }, async (u) => {
    const e = await partyExchange(u.trx, actor, id, true);
    if (e.side !== 'b') throw exchangeError('not_yours_to_confirm', 403);
    if (e.status !== 'proposed') throw exchangeError('closed');
    const last = await u.trx.selectFrom('otp_codes').select('created_at').where('exchange_id', '=', id).orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (last && last.created_at.getTime() + u.policy.otpResendSeconds * 1000 > u.now.epochMilliseconds) throw exchangeError('code_wait', 429);
    const p = await u.trx.selectFrom('parents').select(['phone1', 'phone2', 'lang']).where('id', '=', e.parent_b).executeTakeFirstOrThrow();
    const phones = await phonesWithinBudget(u.trx, deps, k, u.policy, [p.phone1, p.phone2]);
    if (phones.length === 0) throw exchangeError('code_limit', 429);
    const otpId = await issueCode(u.trx, deps, k.key, u.policy, { parentId: e.parent_b, purpose: 'exchange', phones, lang: p.lang, phoneChangeId: null, exchangeId: id });
    await u.audit({ action: 'exchange.code_sent', subjectType: 'exchange', subjectId: id, data: { otpId, phones: phones.length } });
    return { validMinutes: u.policy.otpValidMinutes };
  });
}

/** The two groups of an exchange's placements, locked in a fixed order (lowest id first): the serialisation point of every use case that may move the children. */
async function lockGroups(trx: Trx, e: Pick<ExchangeRow, 'placement_a' | 'placement_b'>): Promise<void> {
  const groups = await trx.selectFrom('placements').select('group_id').where('id', 'in', [e.placement_a, e.placement_b]).execute();
  const ids = [...new Set(groups.map((g) => g.group_id))].sort((x, y) => x - y);
  for (const id of ids) await sql`select id from groups where id = ${id} for update`.execute(trx);
}

/**
 * Parent B confirms with the one-time password. A wrong code counts against it (and is told as such,
 * with nothing else written). With the city's policy 'department' the exchange then waits for the
 * department ('confirmed'); with 'none' this is the last consent and both children move now.
 */
export async function confirmExchange(deps: AppDeps, actor: Actor, id: number, code: string): Promise<{ status: 'confirmed' | 'done' }> {
  assertCan(actor, 'exchange.propose');
  const key = await otpKey(deps);
  const peek = await partyExchange(deps.database.db, actor, id, false);
  const out = await useCase(deps, actor, { permission: 'exchange.propose' }, async (u): Promise<AppError | { status: 'confirmed' | 'done' }> => {
    await lockGroups(u.trx, peek);
    const e = await partyExchange(u.trx, actor, id, true);
    if (e.side !== 'b') throw exchangeError('not_yours_to_confirm', 403);
    if (e.status !== 'proposed') throw exchangeError('closed');
    const check = await tryCode(u.trx, deps, key, u.policy, { parentId: e.parent_b, purpose: 'exchange', code, exchangeId: id });
    if (!check.ok) {
      // the failed try is kept (it counts against the code): the refusal is answered after the commit
      await u.audit({ action: 'exchange.code_failed', subjectType: 'exchange', subjectId: id, data: { reason: check.reason, burnt: check.burnt } });
      return exchangeError(check.reason === 'wrong' ? 'code_wrong' : 'code_expired', 401);
    }
    const ready = await readyToMove(u, e);
    if (ready instanceof AppError) return ready;
    await u.trx.updateTable('exchanges').set({ confirmed_at: toDate(u.now) }).where('id', '=', id).execute();
    await u.audit({ action: 'exchange.confirmed', subjectType: 'exchange', subjectId: id, data: { otpId: check.otpId, approval: u.policy.exchangeApproval } });
    if (u.policy.exchangeApproval === 'none') {
      await conclude(u, e, ready);
      return { status: 'done' };
    }
    await u.trx.updateTable('exchanges').set({ status: 'confirmed' }).where('id', '=', id).where('status', '=', 'proposed').execute();
    await tellAll(u, e, { template: 'exchange_confirmed' }, { template: 'exchange_kg_confirmed' });
    return { status: 'confirmed' };
  });
  if (out instanceof AppError) throw out;
  return out;
}

/**
 * Either family withdraws its consent while the exchange is still open (proposed, or confirmed and
 * waiting for the department): nobody moves.
 */
export async function cancelExchange(deps: AppDeps, actor: Actor, id: number): Promise<void> {
  await useCase(deps, actor, { permission: 'exchange.propose' }, async (u) => {
    const e = await partyExchange(u.trx, actor, id, true);
    if (!OPEN.includes(e.status)) throw exchangeError('closed');
    await close(u, e, { status: 'cancelled', closeReason: e.side === 'a' ? 'parent_a' : 'parent_b', parentId: actor.id! });
  });
}

// ---------------------------------------------------------------------------------------------
// the department

/** The department approves (both children move now) or refuses (a reason is required) a confirmed exchange. */
export async function decideExchange(deps: AppDeps, actor: Actor, id: number, d: { approve: boolean; reason?: string | undefined }): Promise<void> {
  assertCan(actor, 'exchange.approve');
  const reason = d.reason?.trim() || null;
  if (!d.approve && !reason) throw exchangeError('reason_required', 400);
  const peek = await deps.database.db.selectFrom('exchanges').select(EXCHANGE_COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!peek) throw notFound();
  await assertOrganisationInScope(deps.database.db, actor, peek.organisation_a);
  await assertOrganisationInScope(deps.database.db, actor, peek.organisation_b);
  const out = await useCase(deps, actor, { permission: 'exchange.approve' }, async (u): Promise<AppError | null> => {
    await lockGroups(u.trx, peek);
    const e = await u.trx.selectFrom('exchanges').select(EXCHANGE_COLUMNS).where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
    if (e.status !== 'confirmed') throw exchangeError(e.status === 'proposed' ? 'not_confirmed' : 'closed');
    if (!d.approve) {
      await close(u, e, { status: 'refused', closeReason: 'department', reason });
      return null;
    }
    const ready = await readyToMove(u, e);
    if (ready instanceof AppError) return ready;
    await u.trx.updateTable('exchanges').set({ decided_at: toDate(u.now), decided_by: actor.id }).where('id', '=', id).execute();
    await u.audit({ action: 'exchange.approved', subjectType: 'exchange', subjectId: id, reason });
    await conclude(u, e, ready);
    return null;
  });
  if (out) throw out;
}

// ---------------------------------------------------------------------------------------------
// the move

/**
 * Under the group locks: both placements locked and still active, still fitting, neither child on its
 * way elsewhere. Otherwise the exchange is closed ('placement_ended': a leaving or a transfer came first)
 * and the refusal is returned, to be answered after the commit.
 */
async function readyToMove(u: UseCaseScope, e: ExchangeRow): Promise<[SideRow, SideRow] | AppError> {
  const [first, second] = e.placement_a < e.placement_b ? [e.placement_a, e.placement_b] : [e.placement_b, e.placement_a];
  const x = await loadSide(u.trx, { placementId: first }, true);
  const y = await loadSide(u.trx, { placementId: second }, true);
  const a = x?.placementId === e.placement_a ? x : y;
  const b = x?.placementId === e.placement_b ? x : y;
  if (!a || !b) throw notFound();
  for (const s of [a, b]) {
    const busy = await busyProblem(u.trx, s);
    if (busy === 'placement_ended') {
      await close(u, e, { status: 'cancelled', closeReason: 'placement_ended' });
      return exchangeError('placement_ended');
    }
    if (busy) throw exchangeError(busy);
  }
  const problem = exchangeProblem(a, b);
  if (problem) throw exchangeError(problem, 409);
  return [a, b];
}

/**
 * THE move, in the caller's transaction (the groups, the exchange and both placements locked): both old
 * placements end ('exchanged') and their signed contracts with them; both children get a new placement in
 * the other's group from the day after, under the same enrolled application; the exchange is done; every
 * other open exchange of either old placement is closed ('superseded'). No free place is published: each
 * place is taken by the other child. Audited; both families and both kindergartens are told.
 */
async function conclude(u: UseCaseScope, e: ExchangeRow, [a, b]: [SideRow, SideRow]): Promise<void> {
  const today = almatyDate(u.now);
  const at = toDate(u.now);
  const endedBy = u.actor.kind === 'staff' ? u.actor.id : null;
  const entries: AuditEntry[] = [];
  const moved: Record<'a' | 'b', { newId: number; lastDay: string; startsOn: string }> = {} as never;
  for (const [key, from, to] of [['a', a, b], ['b', b, a]] as const) {
    const days = exchangeDays(today, Temporal.PlainDate.from(from.startsOn));
    const r = await u.trx
      .updateTable('placements')
      .set({ ends_on: days.lastDay.toString(), end_reason: 'exchanged', ended_at: at, ended_by: endedBy })
      .where('id', '=', from.placementId)
      .where('ends_on', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) throw new Error('exchange: a placement ended meanwhile (the caller locks both)');
    if (from.contractId !== null) await u.trx.updateTable('contracts').set({ ended_at: at }).where('id', '=', from.contractId).where('ended_at', 'is', null).execute();
    const n = await u.trx
      .insertInto('placements')
      .values({
        child_id: from.childId,
        application_id: from.applicationId,
        group_id: to.group.id,
        organisation_id: to.organisationId,
        referral_id: null,
        contract_id: null,
        starts_on: days.newStartsOn.toString(),
        created_at: at,
        exchange_id: e.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    moved[key] = { newId: n.id, lastDay: days.lastDay.toString(), startsOn: days.newStartsOn.toString() };
    entries.push(
      { action: 'placement.exchanged', subjectType: 'placement', subjectId: from.placementId, data: { exchangeId: e.id, lastDay: days.lastDay.toString(), newPlacementId: n.id } },
      { action: 'placement.started', subjectType: 'placement', subjectId: n.id, data: { exchangeId: e.id, startsOn: days.newStartsOn.toString(), groupId: to.group.id, organisationId: to.organisationId } },
    );
  }
  const done = await u.trx
    .updateTable('exchanges')
    .set({ status: 'done', done_at: at, last_day: today.toString(), new_placement_a: moved.a.newId, new_placement_b: moved.b.newId, confirmed_at: sql<Date>`coalesce(confirmed_at, ${at})` })
    .where('id', '=', e.id)
    .where('status', 'in', OPEN)
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1) throw exchangeError('closed');
  await u.audit([{ action: 'exchange.done', subjectType: 'exchange', subjectId: e.id, data: { lastDay: today.toString(), newPlacementA: moved.a.newId, newPlacementB: moved.b.newId } }, ...entries]);
  await tellAll(u, e, { template: 'exchange_done', date: { a: moved.a.startsOn, b: moved.b.startsOn } }, { template: 'exchange_kg_done', date: { a: moved.a.startsOn, b: moved.b.startsOn } });

  // the other open exchanges of either child's old place can no longer happen
  const others = await u.trx
    .selectFrom('exchanges')
    .select(EXCHANGE_COLUMNS)
    .where('id', '!=', e.id)
    .where('status', 'in', OPEN)
    .where((w) => w.or([w('placement_a', 'in', [a.placementId, b.placementId]), w('placement_b', 'in', [a.placementId, b.placementId])]))
    .orderBy('id')
    .forUpdate()
    .execute();
  for (const o of others) await close(u, o, { status: 'cancelled', closeReason: 'superseded' });
}

// ---------------------------------------------------------------------------------------------
// what the families and the kindergartens see

export interface ExchangeView {
  id: number;
  status: ExchangeStatus;
  /** The viewer's side: 'a' proposed, 'b' was asked. */
  side: 'a' | 'b';
  proposedAt: Date;
  confirmedAt: Date | null;
  doneAt: Date | null;
  closeReason: ExchangeCloseReason | null;
  reason: string | null;
  /** The viewer's child's place (before the exchange) and the other child's. */
  mine: { organisation: { kk: string; ru: string }; group: string };
  other: { organisation: { kk: string; ru: string }; group: string; applicationNumber: string };
  /** Done: the first day in the new group of the viewer's child. */
  newStartsOn: string | null;
}

const viewQuery = (db: Trx) =>
  db
    .selectFrom('exchanges as e')
    .innerJoin('placements as pa', 'pa.id', 'e.placement_a')
    .innerJoin('placements as pb', 'pb.id', 'e.placement_b')
    .innerJoin('applications as aa', 'aa.id', 'pa.application_id')
    .innerJoin('applications as ab', 'ab.id', 'pb.application_id')
    .innerJoin('organisations as oa', 'oa.id', 'e.organisation_a')
    .innerJoin('organisations as ob', 'ob.id', 'e.organisation_b')
    .innerJoin('groups as ga', 'ga.id', 'pa.group_id')
    .innerJoin('groups as gb', 'gb.id', 'pb.group_id')
    .innerJoin('children as ca', 'ca.id', 'pa.child_id')
    .innerJoin('children as cb', 'cb.id', 'pb.child_id')
    .leftJoin('placements as na', 'na.id', 'e.new_placement_a')
    .leftJoin('placements as nb', 'nb.id', 'e.new_placement_b')
    .select([
      'e.id',
      'e.status',
      'e.parent_a',
      'e.parent_b',
      'e.organisation_a',
      'e.organisation_b',
      'e.proposed_at',
      'e.confirmed_at',
      'e.done_at',
      'e.last_day',
      'e.close_reason',
      'e.reason',
      'e.placement_a',
      'e.placement_b',
      'aa.number as number_a',
      'ab.number as number_b',
      'oa.name_kk as a_kk',
      'oa.name_ru as a_ru',
      'ob.name_kk as b_kk',
      'ob.name_ru as b_ru',
      'ga.name as group_a',
      'gb.name as group_b',
      'ca.last_name as a_last',
      'ca.first_name as a_first',
      'ca.middle_name as a_middle',
      'ca.birth_date as a_birth',
      'cb.last_name as b_last',
      'cb.first_name as b_first',
      'cb.middle_name as b_middle',
      'cb.birth_date as b_birth',
      'na.starts_on as a_starts',
      'nb.starts_on as b_starts',
    ]);

export interface ExchangePage {
  applicationId: number;
  /** The child's active placement (null: the child is not placed now: nothing to propose). */
  current: { organisation: { kk: string; ru: string }; group: string; applicationNumber: string } | null;
  child: { lastName: string; firstName: string; middleName: string | null };
  exchanges: ExchangeView[];
  approvalNeeded: boolean;
}

/** The parent's exchange page of their application of a placed child (404 for anyone else's). */
export async function exchangePage(deps: AppDeps, parentId: number, applicationId: number): Promise<ExchangePage> {
  const db = deps.database.db;
  const app = await db
    .selectFrom('applications as a')
    .innerJoin('children as c', 'c.id', 'a.child_id')
    .select(['a.id', 'a.parent_id', 'a.number', ...nameColumns('c')])
    .where('a.id', '=', applicationId)
    .executeTakeFirst();
  if (!app || app.parent_id !== parentId) throw notFound();
  const placements = await db.selectFrom('placements').select('id').where('application_id', '=', applicationId).execute();
  if (placements.length === 0) throw notFound();
  const ids = placements.map((p) => p.id);
  const cur = await db
    .selectFrom('placements as p')
    .innerJoin('organisations as o', 'o.id', 'p.organisation_id')
    .innerJoin('groups as g', 'g.id', 'p.group_id')
    .select(['o.name_kk', 'o.name_ru', 'g.name'])
    .where('p.application_id', '=', applicationId)
    .where('p.ends_on', 'is', null)
    .executeTakeFirst();
  const rows = await viewQuery(db)
    .where((w) => w.or([w('e.placement_a', 'in', ids), w('e.placement_b', 'in', ids)]))
    .where((w) => w.or([w('e.parent_a', '=', parentId), w('e.parent_b', '=', parentId)]))
    .orderBy('e.id', 'desc')
    .limit(20)
    .execute();
  const policy = await deps.city.getPolicy();
  return {
    applicationId,
    current: cur ? { organisation: { kk: cur.name_kk, ru: cur.name_ru }, group: cur.name, applicationNumber: app.number } : null,
    child: nameOf(app),
    approvalNeeded: policy.exchangeApproval === 'department',
    exchanges: rows.map((r) => {
      const side: 'a' | 'b' = ids.includes(r.placement_a) ? 'a' : 'b';
      const mine = side === 'a' ? { organisation: { kk: r.a_kk, ru: r.a_ru }, group: r.group_a } : { organisation: { kk: r.b_kk, ru: r.b_ru }, group: r.group_b };
      const other =
        side === 'a'
          ? { organisation: { kk: r.b_kk, ru: r.b_ru }, group: r.group_b, applicationNumber: r.number_b }
          : { organisation: { kk: r.a_kk, ru: r.a_ru }, group: r.group_a, applicationNumber: r.number_a };
      return {
        id: r.id,
        status: r.status,
        side,
        proposedAt: r.proposed_at,
        confirmedAt: r.confirmed_at,
        doneAt: r.done_at,
        closeReason: r.close_reason,
        reason: r.reason,
        mine,
        other,
        newStartsOn: side === 'a' ? r.a_starts : r.b_starts,
      };
    }),
  };
}

export interface StaffExchange {
  id: number;
  status: ExchangeStatus;
  proposedAt: Date;
  confirmedAt: Date | null;
  lastDay: string | null;
  closeReason: ExchangeCloseReason | null;
  reason: string | null;
  a: { organisationId: number; organisation: { kk: string; ru: string }; group: string; child: string; birthDate: string; applicationNumber: string; startsOn: string | null };
  b: { organisationId: number; organisation: { kk: string; ru: string }; group: string; child: string; birthDate: string; applicationNumber: string; startsOn: string | null };
}

/**
 * The exchanges a staff member sees: a kindergarten its own (either side), open ones and those of the
 * last 90 days; the department one organisation's (`organisationId`) or, without one, the whole city's
 * (a district's operator: those touching its district), the ones waiting for its approval first.
 */
export async function listExchanges(deps: AppDeps, actor: Actor, organisationId: number | null): Promise<StaffExchange[]> {
  assertCan(actor, 'exchange.read');
  const db = deps.database.db;
  if (organisationId !== null) await assertOrganisationInScope(db, actor, organisationId);
  const org = scopeOrganisationId(actor) ?? organisationId;
  const since = toDate(deps.clock.now().subtract({ hours: 24 * 90 }));
  let q = viewQuery(db).where((w) => w.or([w('e.status', 'in', OPEN), w('e.proposed_at', '>=', since), w('e.done_at', '>=', since), w('e.closed_at', '>=', since)]));
  if (org !== null) q = q.where((w) => w.or([w('e.organisation_a', '=', org), w('e.organisation_b', '=', org)]));
  const district = scopeDistrictId(actor);
  if (district !== null) q = q.where((w) => w.or([w('oa.district_id', '=', district), w('ob.district_id', '=', district)]));
  const rows = await q
    .orderBy(sql`case e.status when 'confirmed' then 0 when 'proposed' then 1 else 2 end`)
    .orderBy('e.id', 'desc')
    .limit(500)
    .execute();
  const name = (l: string, f: string, m: string | null) => fullName({ lastName: l, firstName: f, middleName: m });
  return rows.map((r) => ({
    id: r.id,
    status: r.status,
    proposedAt: r.proposed_at,
    confirmedAt: r.confirmed_at,
    lastDay: r.last_day,
    closeReason: r.close_reason,
    reason: r.reason,
    a: { organisationId: r.organisation_a, organisation: { kk: r.a_kk, ru: r.a_ru }, group: r.group_a, child: name(r.a_last, r.a_first, r.a_middle), birthDate: r.a_birth, applicationNumber: r.number_a, startsOn: r.a_starts },
    b: { organisationId: r.organisation_b, organisation: { kk: r.b_kk, ru: r.b_ru }, group: r.group_b, child: name(r.b_last, r.b_first, r.b_middle), birthDate: r.b_birth, applicationNumber: r.number_b, startsOn: r.b_starts },
  }));
}

/** The parent's application (of their child in the exchange) whose page shows it; 404 when the parent is no party. */
export async function parentApplicationOf(deps: AppDeps, parentId: number, exchangeId: number): Promise<number> {
  const e = await partyExchange(deps.database.db, { kind: 'parent', id: parentId }, exchangeId, false);
  const p = await deps.database.db.selectFrom('placements').select('application_id').where('id', '=', e.side === 'a' ? e.placement_a : e.placement_b).executeTakeFirstOrThrow();
  return p.application_id;
}

/** How many exchanges wait for the department's approval (the operator's home; a district's operator: those touching its district). */
export async function countExchangesToApprove(deps: AppDeps, actor: Actor): Promise<number> {
  assertCan(actor, 'exchange.approve');
  let q = deps.database.db
    .selectFrom('exchanges as e')
    .innerJoin('organisations as oa', 'oa.id', 'e.organisation_a')
    .innerJoin('organisations as ob', 'ob.id', 'e.organisation_b')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('e.status', '=', 'confirmed');
  const district = scopeDistrictId(actor);
  if (district !== null) q = q.where((w) => w.or([w('oa.district_id', '=', district), w('ob.district_id', '=', district)]));
  return Number((await q.executeTakeFirstOrThrow()).n);
}
