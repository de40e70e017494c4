import type { AppDeps } from '../context.ts';
import { toDate } from '../clock.ts';
import { audit, type Actor } from '../audit/write.ts';
import { AppError, forbidden, notFound } from '../errors.ts';
import { normalisePhone } from '../applications/service.ts';
import { assertCan } from '../auth/permissions.ts';
import { decideRequest } from '../usecase.ts';
import { otpKey } from '../auth/otp-key.ts';
import { issueCode, keys, lockIin, phoneHmac, phonesWithinBudget, tryCode } from '../auth/parent-signin.ts';
import { sql } from 'kysely';
import { storeUpload } from '../uploads/service.ts';
import type { UploadType } from '../db/schema.ts';
import type { DocumentView } from '../uploads/document-view.tsx';
import { personColumns, personViewOf, type PersonView } from '../db/fragments.ts';

/**
 * Changing a phone number of the application (one or two per parent). The new number is always
 * confirmed by a one-time password sent to it; the parent also proves who they are — by a one-time
 * password sent to the number being replaced (or to the first number when a second one is added),
 * or, when that phone is lost, by a scan of the identity card that the department reviews.
 *
 * A start sends SMS to a number the parent types, so it is limited (issue 13): phoneChangeMaxPerParentPerDay
 * per parent, phoneChangeMaxPerAddressPerHour per address, and the new number's codes count against
 * the destination budget of every one-time password (otpMaxPerPhonePerHour, otpMaxPerPhonePerDay).
 * The counts are rows of parent_auth_attempts, so every process sees them.
 */
export type Proof = 'old_phone' | 'id_card';

function parentOf(actor: Actor): number {
  if (actor.kind !== 'parent' || !actor.id) throw forbidden();
  return actor.id;
}

export async function startPhoneChange(
  deps: AppDeps,
  actor: Actor,
  input: { slot: 1 | 2; phone: string; proof: Proof; idCard?: { data: Buffer; type: UploadType } | null; address: string },
  requestId?: string,
): Promise<{ id: number }> {
  const parentId = parentOf(actor);
  const phone = normalisePhone(input.phone);
  if (!phone) throw new AppError('phone_invalid', 400, 'application.phone_invalid', { field: 'phone' });
  if (input.proof === 'id_card' && !input.idCard) throw new AppError('file_required', 400, 'parents.upload.required');
  const policy = await deps.city.getPolicy();
  const key = await otpKey(deps);
  const instant = deps.clock.now();
  const now = toDate(instant);
  const iin = (await deps.database.db.selectFrom('parents').select('iin').where('id', '=', parentId).executeTakeFirstOrThrow()).iin;
  const k = await keys(deps, iin, input.address);
  const out = await deps.database.db.transaction().execute(async (trx): Promise<AppError | { id: number }> => {
    const p = await trx.selectFrom('parents').select(['id', 'phone1', 'phone2', 'lang']).where('id', '=', parentId).forUpdate().executeTakeFirstOrThrow();
    const old = input.slot === 1 ? p.phone1 : p.phone2;
    if (phone === old || phone === (input.slot === 1 ? p.phone2 : p.phone1)) throw new AppError('phone_same', 400, 'parents.phone.same');
    // the limits (a refusal is returned, so the transaction commits what it counted and audited)
    await lockIin(trx, k.addressHmac);
    const n = await trx
      .selectFrom('parent_auth_attempts')
      .select([
        sql<number>`count(*) filter (where iin_hmac = ${k.iinHmac})::int`.as('parent'),
        sql<number>`count(*) filter (where address_hmac = ${k.addressHmac} and at > ${toDate(instant.subtract({ hours: 1 }))})::int`.as('address'),
      ])
      .where('kind', '=', 'phone_change')
      .where((eb) => eb.or([eb('iin_hmac', '=', k.iinHmac), eb('address_hmac', '=', k.addressHmac)]))
      .where('at', '>', toDate(instant.subtract({ hours: 24 })))
      .executeTakeFirstOrThrow();
    const limit = n.parent >= policy.phoneChangeMaxPerParentPerDay ? 'parent' : n.address >= policy.phoneChangeMaxPerAddressPerHour ? 'address' : null;
    const allowed = limit ? [] : await phonesWithinBudget(trx, deps, k, policy, [phone]);
    if (limit || allowed.length === 0) {
      await audit(trx, deps.clock, actor, { action: 'parent.phone_change_throttled', subjectType: 'parent', subjectId: parentId, data: { limit: limit ?? 'phone' } }, requestId);
      return limit === 'address' ? new AppError('rate_limited', 429, 'parents.limit.address') : new AppError('phone_change_too_many', 429, 'parents.phone.too_many');
    }
    await trx.insertInto('parent_auth_attempts').values({ kind: 'phone_change', iin_hmac: k.iinHmac, address_hmac: k.addressHmac, phone_hmac: phoneHmac(k.key, phone), at: now }).execute();
    // one change at a time: an unfinished one is cancelled
    await trx.updateTable('phone_changes').set({ status: 'cancelled' }).where('parent_id', '=', parentId).where('status', '=', 'awaiting_codes').execute();
    const upload = input.proof === 'id_card' && input.idCard ? await storeUpload(trx, deps.clock, parentId, 'id_card', input.idCard) : null;
    const row = await trx
      .insertInto('phone_changes')
      .values({ parent_id: parentId, slot: input.slot, old_phone: old, new_phone: phone, proof: input.proof, status: 'awaiting_codes', id_card_upload_id: upload?.id ?? null, created_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await issueCode(trx, deps, key, policy, { parentId, purpose: 'phone_new', phones: [phone], lang: p.lang, phoneChangeId: row.id });
    if (input.proof === 'old_phone') await issueCode(trx, deps, key, policy, { parentId, purpose: 'phone_old', phones: [old ?? p.phone1], lang: p.lang, phoneChangeId: row.id });
    await audit(trx, deps.clock, actor, { action: 'parent.phone_change_started', subjectType: 'phone_change', subjectId: row.id, data: { slot: input.slot, proof: input.proof } }, requestId);
    return { id: row.id };
  });
  if (out instanceof AppError) throw out;
  return out;
}

/**
 * Confirm with the codes. With the old phone's code too, the number changes at once; with an ID-card
 * scan the request waits for the department ('review'). A wrong code counts against that code.
 */
export async function confirmPhoneChange(deps: AppDeps, actor: Actor, id: number, codes: { newCode: string; oldCode?: string | undefined }, requestId?: string): Promise<{ status: 'done' | 'review' }> {
  const parentId = parentOf(actor);
  const policy = await deps.city.getPolicy();
  const key = await otpKey(deps);
  const now = toDate(deps.clock.now());
  const out = await deps.database.db.transaction().execute(async (trx): Promise<AppError | { status: 'done' | 'review' }> => {
    const c = await trx.selectFrom('phone_changes').selectAll().where('id', '=', id).where('parent_id', '=', parentId).forUpdate().executeTakeFirst();
    if (!c) throw notFound();
    if (c.status !== 'awaiting_codes') return new AppError('phone_change_closed', 409, 'parents.phone.closed');
    const n = await tryCode(trx, deps, key, policy, { parentId, purpose: 'phone_new', code: codes.newCode, phoneChangeId: id });
    const o = c.proof === 'old_phone' ? await tryCode(trx, deps, key, policy, { parentId, purpose: 'phone_old', code: codes.oldCode ?? '', phoneChangeId: id }) : null;
    if (!n.ok || (o && !o.ok)) {
      // both codes or neither: a right code is not spent by the other one's mistake
      for (const r of [n, o]) if (r?.ok) await trx.updateTable('otp_codes').set({ used_at: null }).where('id', '=', r.otpId).execute();
      await audit(trx, deps.clock, actor, { action: 'parent.phone_change_code_failed', subjectType: 'phone_change', subjectId: id, data: { newOk: n.ok, oldOk: o ? o.ok : null } }, requestId);
      return new AppError('otp_invalid', 401, 'parents.otp.invalid');
    }
    if (c.proof === 'id_card') {
      await trx.updateTable('phone_changes').set({ status: 'review', new_confirmed_at: now }).where('id', '=', id).where('status', '=', 'awaiting_codes').execute();
      await audit(trx, deps.clock, actor, { action: 'parent.phone_change_review', subjectType: 'phone_change', subjectId: id }, requestId);
      return { status: 'review' };
    }
    await trx.updateTable('parents').set(c.slot === 1 ? { phone1: c.new_phone } : { phone2: c.new_phone }).where('id', '=', parentId).execute();
    await trx.updateTable('phone_changes').set({ status: 'done', new_confirmed_at: now, decided_at: now }).where('id', '=', id).where('status', '=', 'awaiting_codes').execute();
    await audit(trx, deps.clock, actor, { action: 'parent.phone_changed', subjectType: 'parent', subjectId: parentId, data: { phoneChangeId: id, slot: c.slot, proof: 'old_phone' } }, requestId);
    return { status: 'done' };
  });
  if (out instanceof AppError) throw out;
  return out;
}

/** The department decides a request proven by an ID-card scan. */
export async function decidePhoneChange(deps: AppDeps, actor: Actor, id: number, d: { approve: boolean; reason?: string | undefined }, requestId?: string): Promise<void> {
  const r = { permission: 'phone.review', table: 'phone_changes', id, open: 'review', closed: 'phone_change_closed', requestId } as const;
  await decideRequest(deps, actor, r, d, async ({ trx, audit, row: c, at: now, reason }) => {
    if (d.approve) await trx.updateTable('parents').set(c.slot === 1 ? { phone1: c.new_phone } : { phone2: c.new_phone }).where('id', '=', c.parent_id).execute();
    await trx.updateTable('phone_changes').set({ status: d.approve ? 'done' : 'rejected', decided_at: now, decided_by: actor.id, reason }).where('id', '=', id).where('status', '=', 'review').execute();
    await audit({ action: d.approve ? 'parent.phone_changed' : 'parent.phone_change_rejected', subjectType: 'phone_change', subjectId: id, reason, data: { parentId: c.parent_id, slot: c.slot, proof: 'id_card' } });
  });
}

/** A phone change as the parent's page shows it. */
export interface PhoneChangeView {
  id: number;
  slot: number;
  newPhone: string;
  proof: 'old_phone' | 'id_card';
  status: 'awaiting_codes' | 'review' | 'done' | 'rejected' | 'cancelled';
  createdAt: Date;
}

/** The parent's latest phone changes (at most 10), newest first. */
export async function listParentPhoneChanges(deps: Pick<AppDeps, 'database'>, parentId: number): Promise<PhoneChangeView[]> {
  const rows = await deps.database.db
    .selectFrom('phone_changes')
    .select(['id', 'slot', 'new_phone', 'proof', 'status', 'created_at'])
    .where('parent_id', '=', parentId)
    .orderBy('id', 'desc')
    .limit(10)
    .execute();
  return rows.map((c) => ({ id: c.id, slot: c.slot, newPhone: c.new_phone, proof: c.proof, status: c.status, createdAt: c.created_at }));
}

export interface PhoneReview {
  id: number;
  createdAt: Date;
  slot: number;
  oldPhone: string | null;
  newPhone: string;
  parent: PersonView;
  document: DocumentView | null;
}

/** The changes waiting for the department, oldest first (at most 500): the page's and the JSON API's one list. */
export async function listPhoneReviews(deps: Pick<AppDeps, 'database'>, actor: Actor): Promise<PhoneReview[]> {
  assertCan(actor, 'phone.review');
  const rows = await deps.database.db
    .selectFrom('phone_changes as c')
    .innerJoin('parents as p', 'p.id', 'c.parent_id')
    .leftJoin('uploads as u', 'u.id', 'c.id_card_upload_id')
    .select(['c.id', 'c.created_at', 'c.slot', 'c.old_phone', 'c.new_phone', 'p.id as parent_id', ...personColumns('p'), 'u.id as upload_id', 'u.content_type'])
    .where('c.status', '=', 'review')
    .orderBy('c.created_at')
    .limit(500)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    slot: r.slot,
    oldPhone: r.old_phone,
    newPhone: r.new_phone,
    parent: personViewOf(r.parent_id, r),
    document: r.upload_id !== null && r.content_type !== null ? { id: r.upload_id, type: r.content_type } : null,
  }));
}

/** How many changes wait for the department (the operator's home). */
export async function countPhoneReviews(deps: Pick<AppDeps, 'database'>, actor: Actor): Promise<number> {
  assertCan(actor, 'phone.review');
  const r = await deps.database.db.selectFrom('phone_changes').select((eb) => eb.fn.countAll<string>().as('n')).where('status', '=', 'review').executeTakeFirstOrThrow();
  return Number(r.n);
}
