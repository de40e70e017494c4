import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { AppDeps } from '../context.ts';
import type { DB, IdentityCheckResult, Lang } from '../db/schema.ts';
import type { Policy } from '../domain/policy.ts';
import { almatyDate, toDate } from '../clock.ts';
import { audit, PUBLIC } from '../audit/write.ts';
import { AppError, conflict, FieldsError } from '../errors.ts';
import { checkIin, parentAgeProblem } from '../domain/iin.ts';
import { askIdentity, type IdentityCheck } from '../identity/port.ts';
import { zodProblem } from '../web/fields.ts';
import { iinError } from '../applications/iin-error.ts';
import { createSession } from '../auth/sessions.ts';
import { applicationInput, checkApplication, isChildAlreadyQueuedRace, newParentRow, normalisePhone, prepareApplication, writeApplication, type ApplicationInput, type PreparedApplication } from '../applications/service.ts';
import { typedField, type FormWithFile } from '../uploads/multipart.ts';
import { applicationInputOf, applicationParentOf, readApplyForm } from '../applications/apply-form.ts';
import { writeHandoverRequest } from '../handover/service.ts';
import { checkUpload, storeUpload } from '../uploads/service.ts';
import { hmac, sameHmac } from '../auth/otp-key.ts';
import { enqueueParentSms } from '../sms/parent-sms.ts';
import { checkParentIin, countSince, keys, lockIin, newCode, otpInvalid, phonesWithinBudget, record, tooManyFromAddress, type Keys, type OtpRequested, type SignedIn } from '../auth/parent-signin.ts';

/**
 * A first application by a parent who has no cabinet yet (the public form at /apply).
 *
 * 1. The form (the parent's IIN, names and phones, and every field of the cabinet's application
 *    form) is checked exactly as the queue core would write it — a dry run of writeApplication,
 *    rolled back — so a refusal (a child already queued, a closed kindergarten …) comes before any
 *    SMS. It then waits in `first_applications` with a one-time password (only its HMAC is kept).
 * 2. ACCOUNT TAKEOVER: the code goes to the phone typed in the form only when the IIN is unknown.
 *    For an IIN the system already knows it goes to the phones on file, as for sign-in; the answer
 *    and the page are the same either way. The parent's typed names and phones are then ignored:
 *    a phone change needs its own proof (src/phone-changes/service.ts).
 * 3. The code back: in ONE transaction the parent (when new) and the application are created, the
 *    documents and the SMS passed to the parent, a session opened and everything audited. The
 *    parent then sets an own password, as on the leaflet's first sign-in.
 *
 * The limits are sign-in's own and shared with it (the same throttle rows, keyed by the IIN's and
 * the address's HMACs): a code every otpResendSeconds, otpMaxPerHour codes per IIN per hour
 * counting sign-in codes, otpMaxPerAddressPerHour codes and signInMaxPerAddressPerHour tries per
 * address; a code is valid otpValidMinutes and burnt after otpMaxAttempts wrong tries. Per
 * destination phone (whoever asks, for any IIN) otpMaxPerPhonePerHour and otpMaxPerPhonePerDay codes
 * (phonesWithinBudget): over it, no SMS goes and the answer is the same.
 *
 * DOCUMENTS before the phone is confirmed: only the waiting form holds them (a superseded form's are
 * deleted at once), for firstApplyUploadKeepMinutes at most (pruneFirstApplications), and the
 * waiting forms from one address hold at most firstApplyMaxPendingMbPerAddress megabytes of them.
 */

type Trx = Kysely<DB>;

/** The parent's part of the public form. */
export interface FirstApplyParent {
  iin: string;
  lastName: string;
  firstName: string;
  middleName: string;
  phone1: string;
  phone2: string;
  email: string;
}

export function firstApplyParentOf(form: FormWithFile): FirstApplyParent {
  const v = typedField(form);
  return {
    iin: v('iin').replace(/\s/g, ''),
    lastName: v('parentLastName'),
    firstName: v('parentFirstName'),
    middleName: v('parentMiddleName'),
    phone1: v('phone1'),
    phone2: v('phone2'),
    email: v('email'),
  };
}

/** What every waiting form has: the parent as typed. */
const typedParent = z.object({ parent: applicationInput.shape.parent });
/** A waiting hand-over request: the parent as typed and the child. */
const handoverForm = z.object({ parent: applicationInput.shape.parent, childIin: z.string().regex(/^[0-9]{12}$/) });

const DRY_RUN = Symbol('dry run');

/** The queue core's checks that need the database, without writing anything. */
async function dryRun(deps: AppDeps, prepared: PreparedApplication): Promise<void> {
  try {
    await deps.database.db.transaction().execute(async (trx) => {
      await writeApplication(trx, deps.clock, PUBLIC, prepared, { dryRun: true });
      throw DRY_RUN;
    });
  } catch (e) {
    if (e === DRY_RUN) return;
    if (isChildAlreadyQueuedRace(e)) throw conflict('child_already_queued', 'application.child_already_queued');
    throw e;
  }
}

const codeHmac = (key: Buffer, id: number, code: string) => hmac(key, `otp:first_apply:${id}:${code}`);

/** Throttle as sign-in does (the same rows); null when a code may be sent. */
async function throttle(trx: Trx, deps: AppDeps, k: Keys, policy: Policy, requestId?: string): Promise<AppError | null> {
  const now = deps.clock.now();
  const hourAgo = toDate(now.subtract({ hours: 1 }));
  if ((await countSince(trx, { addressHmac: k.addressHmac, kinds: ['otp_request'] }, hourAgo)) >= policy.otpMaxPerAddressPerHour) {
    await audit(trx, deps.clock, PUBLIC, { action: 'auth.parent_otp_throttled', subjectType: 'parent', subjectId: null, data: { limit: 'address', via: 'first_apply' } }, requestId);
    return tooManyFromAddress();
  }
  const last = await trx.selectFrom('parent_auth_attempts').select('at').where('iin_hmac', '=', k.iinHmac).where('kind', '=', 'otp_request').orderBy('at', 'desc').limit(1).executeTakeFirst();
  const waitMs = last ? last.at.getTime() + policy.otpResendSeconds * 1000 - now.epochMilliseconds : 0;
  if (waitMs > 0) return new AppError('otp_resend_wait', 429, 'parents.otp.resend_wait', { seconds: Math.ceil(waitMs / 1000) });
  if ((await countSince(trx, { iinHmac: k.iinHmac, kinds: ['otp_request'] }, hourAgo)) >= policy.otpMaxPerHour) {
    await audit(trx, deps.clock, PUBLIC, { action: 'auth.parent_otp_throttled', subjectType: 'parent', subjectId: null, data: { limit: 'iin', via: 'first_apply' } }, requestId);
    return new AppError('otp_too_many', 429, 'parents.otp.too_many', { max: policy.otpMaxPerHour });
  }
  await record(trx, k, 'otp_request', toDate(now));
  return null;
}

/**
 * A new code for a waiting first application, by SMS: to the phones on file when the IIN is known,
 * else to the phones typed in the form. Any earlier code of the row stops working.
 */
async function sendCode(trx: Trx, deps: AppDeps, k: Keys, policy: Policy, row: { id: number; iin: string; typedPhones: (string | null)[] }, lang: Lang, requestId?: string): Promise<void> {
  const now = deps.clock.now();
  const key = k.key;
  const known = await trx.selectFrom('parents').select(['id', 'phone1', 'phone2', 'lang']).where('iin', '=', row.iin).executeTakeFirst();
  const phones = await phonesWithinBudget(trx, deps, k, policy, known ? [known.phone1, known.phone2] : row.typedPhones);
  if (phones.length === 0) {
    // every destination has had its codes for the hour (or day): nothing is sent, the answer is the same
    await audit(trx, deps.clock, PUBLIC, { action: 'auth.parent_otp_throttled', subjectType: 'first_application', subjectId: row.id, data: { limit: 'phone', via: 'first_apply' } }, requestId);
    return;
  }
  const code = newCode();
  await trx
    .updateTable('first_applications')
    .set({ code_hmac: codeHmac(key, row.id, code), attempts: 0, expires_at: toDate(now.add({ minutes: policy.otpValidMinutes })), parent_id: known?.id ?? null })
    .where('id', '=', row.id)
    .execute();
  for (const phone of phones) {
    await enqueueParentSms(trx, deps.clock, {
      parentId: known?.id ?? null,
      phone,
      lang: known?.lang ?? lang,
      template: 'otp_first_apply',
      params: { code, minutes: policy.otpValidMinutes },
      subjectType: 'first_application',
      subjectId: row.id,
    });
  }
  await audit(trx, deps.clock, PUBLIC, { action: 'auth.parent_first_apply_otp_sent', subjectType: 'first_application', subjectId: row.id, data: { onFile: !!known, phones: phones.length } }, requestId);
}

/**
 * One request for a code about an IIN: in one transaction under the IIN's lock and the sign-in
 * limits (a refusal is thrown after the transaction, so the attempt it counts stays written), then
 * `write` stores or finds what waits for the code and sends it.
 */
async function codeRequest(
  deps: AppDeps,
  policy: Policy,
  iin: string,
  address: string,
  requestId: string | undefined,
  write: (trx: Trx, k: Keys, identity: IdentityCheckResult | null) => Promise<AppError | void>,
  phone?: string,
): Promise<FirstApplyRequested> {
  const k = await keys(deps, iin, address);
  // with a register the phone is checked between the limits (counted first: the register is no
  // free oracle) and the write; no transaction is held open while the register is asked
  const port = phone ? (deps.identity ?? null) : null;
  const refusal = await deps.database.db.transaction().execute(async (trx): Promise<AppError | null> => {
    await lockIin(trx, k.iinHmac);
    const limited = await throttle(trx, deps, k, policy, requestId);
    if (limited) return limited;
    return port ? null : ((await write(trx, k, null)) ?? null);
  });
  if (refusal) throw refusal;
  if (port && phone) {
    const identity = await checkPhoneOwner(deps, policy, port, phone, iin, requestId);
    const refused = await deps.database.db.transaction().execute(async (trx) => {
      await lockIin(trx, k.iinHmac);
      return (await write(trx, k, identity)) ?? null;
    });
    if (refused) throw refused;
  }
  return { iin, resendAfterSeconds: policy.otpResendSeconds, validMinutes: policy.otpValidMinutes };
}

/**
 * Where the city has a mobile-number register (deps.identity): the first application's phone must
 * belong to the parent's IIN. 'no' refuses; 'unknown' or no answer: the policy (identityUnknown)
 * refuses, or lets through — the parent is then flagged for the department. Audited without the
 * phone or the IIN.
 */
async function checkPhoneOwner(deps: AppDeps, policy: Policy, port: IdentityCheck, phone: string, iin: string, requestId?: string): Promise<IdentityCheckResult> {
  const outcome = await askIdentity(port, phone, iin);
  const refused = outcome === 'no' || (outcome !== 'yes' && policy.identityUnknown === 'refuse');
  await deps.database.db.transaction().execute((trx) =>
    audit(trx, deps.clock, PUBLIC, { action: 'identity.checked', subjectType: 'first_application', subjectId: null, data: { provider: port.name, answer: outcome, refused } }, requestId),
  );
  if (outcome === 'no') throw new AppError('phone_not_parents', 400, 'identity.phone_not_parents', { field: 'phone1' });
  if (refused) throw new AppError(outcome === 'unavailable' ? 'identity_unavailable' : 'identity_unconfirmed', outcome === 'unavailable' ? 503 : 400, 'identity.unavailable', { field: 'phone1' });
  return outcome as IdentityCheckResult;
}

/** With a register the code goes to the checked phone only; else to both typed phones. */
const codePhones = (deps: AppDeps, phone1: string | null, phone2: string | null): (string | null)[] => (deps.identity ? [phone1] : [phone1, phone2]);

/** Only the newest form of an IIN waits for its code; the documents of an earlier one go at once. */
async function supersedeWaiting(trx: Trx, k: Keys): Promise<void> {
  const old = await trx
    .selectFrom('first_applications')
    .select(['id', 'privilege_upload_id', 'pmpk_upload_id', 'handover_upload_id'])
    .where('iin_hmac', '=', k.iinHmac)
    .where('status', '=', 'awaiting_code')
    .forUpdate()
    .execute();
  if (!old.length) return;
  await trx
    .updateTable('first_applications')
    .set({ status: 'superseded', form: null, privilege_upload_id: null, pmpk_upload_id: null, handover_upload_id: null })
    .where('id', 'in', old.map((r) => r.id))
    .execute();
  await deleteHeldUploads(trx, old.flatMap((r) => [r.privilege_upload_id, r.pmpk_upload_id, r.handover_upload_id]));
}

async function deleteHeldUploads(trx: Trx, ids: (number | null)[]): Promise<number> {
  const list = ids.filter((x): x is number => x !== null);
  if (!list.length) return 0;
  return Number((await trx.deleteFrom('uploads').where('id', 'in', list).where('parent_id', 'is', null).executeTakeFirst()).numDeletedRows);
}

/**
 * Room for `bytes` more documents from this address (besides the IIN's own waiting form, which this
 * request replaces): the waiting forms from one address hold at most firstApplyMaxPendingMbPerAddress.
 * Under a lock per address, so parallel requests cannot together pass it.
 */
async function addressRoom(trx: Trx, deps: AppDeps, k: Keys, policy: Policy, bytes: number, requestId?: string): Promise<AppError | null> {
  if (bytes === 0) return null;
  await lockIin(trx, k.addressHmac);
  const held = await sql<{ n: number }>`
    select coalesce(sum(u.size), 0)::float8 as n
      from first_applications f
      join uploads u on u.id in (f.privilege_upload_id, f.pmpk_upload_id, f.handover_upload_id)
     where f.address_hmac = ${k.addressHmac} and f.status = 'awaiting_code' and f.iin_hmac <> ${k.iinHmac} and u.parent_id is null`.execute(trx);
  if (Number(held.rows[0]?.n ?? 0) + bytes <= policy.firstApplyMaxPendingMbPerAddress * 1024 * 1024) return null;
  await audit(trx, deps.clock, PUBLIC, { action: 'auth.parent_otp_throttled', subjectType: 'first_application', subjectId: null, data: { limit: 'address_uploads', via: 'first_apply' } }, requestId);
  return tooManyFromAddress();
}

export interface FirstApplyRequested extends OtpRequested {
  iin: string;
}

/**
 * The public form sent: checked in full, then a one-time password. The same answer whether the
 * parent's IIN is known or not. The documents are stored (with no parent yet) with the waiting form.
 */
export async function requestFirstApply(deps: AppDeps, input: { form: FormWithFile; address: string; lang: Lang }, requestId?: string): Promise<FirstApplyRequested> {
  const policy = await deps.city.getPolicy();
  const p = firstApplyParentOf(input.form);
  const iin = p.iin.replace(/\s/g, '');
  const read = readApplyForm(input.form, policy.maxPreferences);
  const parentPart = () => applicationParentOf({ ...p, iin, lang: input.lang });
  // every rule of the queue core first, with stand-in document references
  // (every refusal of the form at once: the parent's fields, the child's, the documents)
  const checked = await checkApplication(deps, applicationInputOf(read, parentPart(), { privilege: read.privilegeFile ? 'upload:0' : null, pmpk: read.pmpkFile ? 'upload:0' : null }), read.problems);
  await dryRun(deps, checked);

  const now = toDate(deps.clock.now());
  return codeRequest(deps, policy, iin, input.address, requestId, async (trx, k, identity) => {
    const full = await addressRoom(trx, deps, k, policy, (read.privilegeFile?.data.length ?? 0) + (read.pmpkFile?.data.length ?? 0), requestId);
    if (full) return full;
    await supersedeWaiting(trx, k);
    const privilege = read.privilegeFile ? await storeUpload(trx, deps.clock, null, 'privilege', read.privilegeFile) : null;
    const pmpk = read.pmpkFile ? await storeUpload(trx, deps.clock, null, 'pmpk', read.pmpkFile) : null;
    const form = applicationInputOf(read, parentPart(), { privilege: privilege?.ref ?? null, pmpk: pmpk?.ref ?? null });
    const row = await trx
      .insertInto('first_applications')
      .values({
        iin_hmac: k.iinHmac,
        address_hmac: k.addressHmac,
        form: JSON.stringify(form),
        code_hmac: '-',
        created_at: now,
        expires_at: now,
        privilege_upload_id: privilege?.id ?? null,
        pmpk_upload_id: pmpk?.id ?? null,
        identity_check: identity,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sendCode(trx, deps, k, policy, { id: row.id, iin, typedPhones: codePhones(deps, checked.phone1, checked.phone2) }, input.lang, requestId);
  }, checked.phone1);
}

/** Another code for the waiting form of this IIN (same limits; the same answer when there is none). */
export async function resendFirstApplyCode(deps: AppDeps, input: { iin: string; address: string; lang: Lang }, requestId?: string): Promise<FirstApplyRequested> {
  const policy = await deps.city.getPolicy();
  const iin = checkParentIin(input.iin);
  return codeRequest(deps, policy, iin, input.address, requestId, async (trx, k) => {
    const row = await trx.selectFrom('first_applications').select(['id', 'form']).where('iin_hmac', '=', k.iinHmac).where('status', '=', 'awaiting_code').orderBy('id', 'desc').limit(1).forUpdate().executeTakeFirst();
    if (!row) return;
    const typed = typedParent.parse(row.form).parent;
    await sendCode(trx, deps, k, policy, { id: row.id, iin, typedPhones: codePhones(deps, normalisePhone(typed.phone1), typed.phone2 ? normalisePhone(typed.phone2) : null) }, input.lang, requestId);
  });
}

export const restartFirstApply = () => new AppError('first_apply_restart', 409, 'parents.first.restart');

export interface FirstApplied extends SignedIn {
  /** The new application's number (a first application). */
  number: string | null;
  /** The hand-over request made (a hand-over request). */
  handoverRequestId: number | null;
}

/**
 * The code back: the parent (when new) and the application in one transaction with the session and
 * the audit entries. A wrong code counts (the policy's last wrong try burns it), as at sign-in.
 */
export async function verifyFirstApply(deps: AppDeps, input: { iin: string; code: string; address: string; lang: Lang }, requestId?: string): Promise<FirstApplied> {
  const policy = await deps.city.getPolicy();
  const iin = checkParentIin(input.iin);
  const k = await keys(deps, iin, input.address);
  const db = deps.database.db;
  // the waiting form is read and prepared before the transaction (its checks read the policy)
  const waiting = await db.selectFrom('first_applications').select(['id', 'kind', 'form']).where('iin_hmac', '=', k.iinHmac).where('status', '=', 'awaiting_code').orderBy('id', 'desc').limit(1).executeTakeFirst();
  const prepared = waiting?.kind === 'application' ? await prepareApplication(deps, applicationInput.parse(waiting.form)) : null;
  const handover = waiting?.kind === 'handover' ? handoverForm.parse(waiting.form) : null;
  const now = deps.clock.now();
  const nowDate = toDate(now);
  const fail = async (trx: Trx, subjectId: number | null, reason: string, extra: { burnt?: boolean } = {}) => {
    await record(trx, k, 'otp_verify', nowDate);
    await audit(trx, deps.clock, PUBLIC, [
      { action: 'auth.parent_first_apply_failed', subjectType: 'first_application', subjectId, data: { reason } },
      ...(extra.burnt ? [{ action: 'auth.parent_otp_burnt', subjectType: 'first_application', subjectId, data: { attempts: policy.otpMaxAttempts } }] : []),
    ], requestId);
  };
  let result: AppError | FirstApplied;
  try {
    result = await db.transaction().execute(async (trx): Promise<AppError | FirstApplied> => {
      await lockIin(trx, k.iinHmac);
      if ((await countSince(trx, { addressHmac: k.addressHmac, kinds: ['otp_verify', 'password'] }, toDate(now.subtract({ hours: 1 })))) >= policy.signInMaxPerAddressPerHour)
        return tooManyFromAddress();
      const row = await trx
        .selectFrom('first_applications')
        .selectAll()
        .where('iin_hmac', '=', k.iinHmac)
        .where('status', '=', 'awaiting_code')
        .orderBy('id', 'desc')
        .limit(1)
        .forUpdate()
        .executeTakeFirst();
      if (!row || !waiting || row.id !== waiting.id || (!prepared && !handover)) {
        await fail(trx, row?.id ?? null, 'none');
        return otpInvalid();
      }
      if (row.expires_at.getTime() <= now.epochMilliseconds) {
        await fail(trx, row.id, 'expired');
        return otpInvalid();
      }
      const code = input.code.replace(/\s/g, '');
      if (!(/^[0-9]{6}$/.test(code) && sameHmac(codeHmac(k.key, row.id, code), row.code_hmac))) {
        const attempts = row.attempts + 1;
        const burnt = attempts >= policy.otpMaxAttempts;
        await trx
          .updateTable('first_applications')
          .set(burnt ? { attempts, status: 'burnt', form: null } : { attempts })
          .where('id', '=', row.id)
          .execute();
        await fail(trx, row.id, 'wrong', { burnt });
        return otpInvalid();
      }
      // the code went to the phones of the parent known when it was sent (or to the typed ones
      // when none was): if that has changed since, this code proves nothing about the parent now
      const parentNow = await trx.selectFrom('parents').select(['id', 'password_hash']).where('iin', '=', iin).executeTakeFirst();
      if ((parentNow?.id ?? null) !== row.parent_id) {
        await trx.updateTable('first_applications').set({ status: 'burnt', form: null }).where('id', '=', row.id).execute();
        await fail(trx, row.id, 'parent_changed');
        return restartFirstApply();
      }
      let created: { applicationId: number; number: string } | null = null;
      let handoverRequestId: number | null = null;
      if (prepared)
        created = await writeApplication(trx, deps.clock, (parentId) => ({ kind: 'parent', id: parentId }), prepared, {
          adopt: [row.privilege_upload_id, row.pmpk_upload_id].filter((x): x is number => x !== null),
        });
      else if (handover && row.handover_upload_id !== null) {
        const parentId = parentNow?.id ?? (await insertParent(trx, deps, handover.parent));
        handoverRequestId = (await writeHandoverRequest(trx, deps.clock, { kind: 'parent', id: parentId }, { parentId, childIin: handover.childIin, uploadId: row.handover_upload_id }, requestId)).id;
      }
      const parent = await trx.selectFrom('parents').select(['id', 'password_hash']).where('iin', '=', iin).executeTakeFirstOrThrow();
      if (row.parent_id === null && row.identity_check !== null) {
        // a new parent: what the register said about the phone stays with them ('unknown'/'unavailable': flagged for the department)
        await trx.updateTable('parents').set({ identity_check: row.identity_check }).where('id', '=', parent.id).execute();
        if (row.identity_check !== 'yes') await audit(trx, deps.clock, { kind: 'parent', id: parent.id }, { action: 'parent.identity_flagged', subjectType: 'parent', subjectId: parent.id, data: { identity: row.identity_check } }, requestId);
      }
      const uploads = [row.privilege_upload_id, row.pmpk_upload_id, row.handover_upload_id].filter((x): x is number => x !== null);
      if (uploads.length) await trx.updateTable('uploads').set({ parent_id: parent.id }).where('id', 'in', uploads).where('parent_id', 'is', null).execute();
      await trx.updateTable('sms_outbox').set({ parent_id: parent.id }).where('subject_type', '=', 'first_application').where('subject_id', '=', row.id).where('parent_id', 'is', null).execute();
      await trx
        .updateTable('first_applications')
        .set({ status: 'done', done_at: nowDate, form: null, attempts: row.attempts + 1, parent_id: parent.id, application_id: created?.applicationId ?? null, handover_request_id: handoverRequestId })
        .where('id', '=', row.id)
        .execute();
      await record(trx, k, 'otp_verify', nowDate, true);
      // the code proves the phone: a password lock-out ends, as at sign-in by code
      await trx.updateTable('parents').set({ failed_logins: 0, locked_until: null }).where('id', '=', parent.id).execute();
      const s = await createSession(trx, deps.clock, { kind: 'parent', userId: parent.id, lang: input.lang, otp: true });
      await audit(trx, deps.clock, { kind: 'parent', id: parent.id }, [
        { action: 'auth.parent_login', subjectType: 'parent', subjectId: parent.id, data: { method: row.kind === 'handover' ? 'first_handover' : 'first_apply', firstApplicationId: row.id, newParent: row.parent_id === null } },
      ], requestId);
      return { ...s, parentId: parent.id, needsPassword: parent.password_hash === null, number: created?.number ?? null, handoverRequestId };
    });
  } catch (e) {
    if (isChildAlreadyQueuedRace(e)) throw conflict('child_already_queued', 'application.child_already_queued');
    throw e;
  }
  if (result instanceof AppError) throw result;
  return result;
}

/** A new parent from a hand-over request's typed data (a first application's parent is written by writeApplication). */
async function insertParent(trx: Trx, deps: AppDeps, p: ApplicationInput['parent']): Promise<number> {
  const row = await trx
    .insertInto('parents')
    .values(newParentRow(p, normalisePhone(p.phone1)!, p.phone2 ? normalisePhone(p.phone2) : null, toDate(deps.clock.now())))
    .returning('id')
    .executeTakeFirstOrThrow();
  await audit(trx, deps.clock, { kind: 'parent', id: row.id }, { action: 'parent.created', subjectType: 'parent', subjectId: row.id, data: { via: 'handover_request' } });
  return row.id;
}

/**
 * A parent with no cabinet asks the department to hand a queued child's application over (the way
 * out when the first application is refused because the child is already queued): the same checks,
 * code and answer as a first application; confirmed, the parent (when new) and the request are
 * written in one transaction (writeHandoverRequest, as from the cabinet).
 */
export async function requestFirstHandover(deps: AppDeps, input: { form: FormWithFile; address: string; lang: Lang }, requestId?: string): Promise<FirstApplyRequested> {
  const policy = await deps.city.getPolicy();
  const p = firstApplyParentOf(input.form);
  const iin = checkParentIin(p.iin);
  const childIin = (input.form.fields.childIin ?? '').replace(/\s/g, '');
  const c = checkIin(childIin);
  if (!c.ok) throw iinError('childIin', c.problem);
  // the hand-over form asks no e-mail
  const typed = applicationInput.shape.parent.safeParse(applicationParentOf({ ...p, iin, email: null, lang: input.lang }));
  if (!typed.success) throw new FieldsError(typed.error.issues.map((i) => zodProblem({ ...i, path: ['parent', ...i.path] })));
  const parent = typed.data;
  const phone1 = normalisePhone(parent.phone1);
  if (!phone1) throw new FieldsError([{ field: 'parent.phone1', code: 'phone_invalid', key: 'application.phone_invalid' }]);
  const phone2 = parent.phone2 ? normalisePhone(parent.phone2) : null;
  if (parent.phone2 && !phone2) throw new FieldsError([{ field: 'parent.phone2', code: 'phone_invalid', key: 'application.phone_invalid' }]);
  const parentBirth = checkIin(iin);
  const tooYoung = parentBirth.ok ? parentAgeProblem(parentBirth.birthDate, [c.birthDate], almatyDate(deps.clock.now()), policy.parentMinAge) : null;
  if (tooYoung) throw new FieldsError([{ field: 'parent.iin', code: tooYoung, key: `application.${tooYoung}`, params: { min: policy.parentMinAge } }]);
  const file = checkUpload(input.form.file, input.form.truncated);

  const now = toDate(deps.clock.now());
  return codeRequest(deps, policy, iin, input.address, requestId, async (trx, k, identity) => {
    const full = await addressRoom(trx, deps, k, policy, file.data.length, requestId);
    if (full) return full;
    await supersedeWaiting(trx, k);
    const upload = await storeUpload(trx, deps.clock, null, 'handover', file);
    const row = await trx
      .insertInto('first_applications')
      .values({ iin_hmac: k.iinHmac, address_hmac: k.addressHmac, kind: 'handover', form: JSON.stringify({ parent, childIin }), code_hmac: '-', created_at: now, expires_at: now, handover_upload_id: upload.id, identity_check: identity })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sendCode(trx, deps, k, policy, { id: row.id, iin, typedPhones: codePhones(deps, phone1, phone2) }, input.lang, requestId);
  }, phone1);
}

/**
 * Forms whose code never came back are of no use after a day: the form is cleared and the documents
 * stored with it (still without a parent) deleted, as are those of forms superseded or burnt. A form
 * that holds documents goes sooner: after firstApplyUploadKeepMinutes (a job runs this every 10 minutes).
 */
export async function pruneFirstApplications(deps: Pick<AppDeps, 'database' | 'clock' | 'city'>): Promise<{ cleared: number; uploadsDeleted: number }> {
  const policy = await deps.city.getPolicy();
  const dayAgo = toDate(deps.clock.now().subtract({ hours: 24 }));
  const keepAgo = toDate(deps.clock.now().subtract({ minutes: policy.firstApplyUploadKeepMinutes }));
  return deps.database.db.transaction().execute(async (trx) => {
    const stale = await trx
      .selectFrom('first_applications')
      .select(['id', 'privilege_upload_id', 'pmpk_upload_id', 'handover_upload_id'])
      .where((eb) =>
        eb.or([
          eb('status', 'in', ['burnt', 'superseded']),
          eb.and([eb('status', '=', 'awaiting_code'), eb('created_at', '<', dayAgo)]),
          eb.and([
            eb('status', '=', 'awaiting_code'),
            eb('created_at', '<', keepAgo),
            eb.or([eb('privilege_upload_id', 'is not', null), eb('pmpk_upload_id', 'is not', null), eb('handover_upload_id', 'is not', null)]),
          ]),
        ]),
      )
      .where((eb) => eb.or([eb('form', 'is not', null), eb('privilege_upload_id', 'is not', null), eb('pmpk_upload_id', 'is not', null), eb('handover_upload_id', 'is not', null), eb('status', '=', 'awaiting_code')]))
      .forUpdate()
      .execute();
    if (stale.length === 0) return { cleared: 0, uploadsDeleted: 0 };
    const ids = stale.map((r) => r.id);
    const uploads = stale.flatMap((r) => [r.privilege_upload_id, r.pmpk_upload_id, r.handover_upload_id]).filter((x): x is number => x !== null);
    await trx
      .updateTable('first_applications')
      .set({ form: null, privilege_upload_id: null, pmpk_upload_id: null, handover_upload_id: null, status: sql<'burnt'>`case when status = 'awaiting_code' then 'burnt' else status end` })
      .where('id', 'in', ids)
      .execute();
    const deleted = uploads.length ? await trx.deleteFrom('uploads').where('id', 'in', uploads).where('parent_id', 'is', null).executeTakeFirst() : null;
    return { cleared: ids.length, uploadsDeleted: Number(deleted?.numDeletedRows ?? 0) };
  });
}
