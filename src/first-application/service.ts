import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { AppDeps } from '../context.ts';
import type { DB, Lang } from '../db/schema.ts';
import type { Policy } from '../domain/policy.ts';
import { toDate } from '../clock.ts';
import { audit, PUBLIC } from '../audit/write.ts';
import { AppError, conflict, FieldsError } from '../errors.ts';
import { checkIin } from '../domain/iin.ts';
import { zodProblem } from '../web/fields.ts';
import { iinError } from '../applications/messages.ts';
import { createSession } from '../auth/sessions.ts';
import { applicationInput, checkApplication, isChildAlreadyQueuedRace, normalisePhone, prepareApplication, writeApplication, type ApplicationInput, type PreparedApplication } from '../applications/service.ts';
import type { FormWithFile } from '../uploads/multipart.ts';
import { applicationInputOf, readApplyForm } from '../applications/apply-form.ts';
import { writeHandoverRequest } from '../handover/service.ts';
import { checkUpload, storeUpload } from '../uploads/service.ts';
import { hmac, sameHmac } from '../auth/otp-key.ts';
import { enqueueParentSms } from '../sms/parent-sms.ts';
import { checkParentIin, countSince, keys, lockIin, newCode, otpInvalid, record, tooManyFromAddress, type Keys, type OtpRequested, type SignedIn } from '../auth/parent-signin.ts';

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
 * address; a code is valid otpValidMinutes and burnt after otpMaxAttempts wrong tries.
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
  const v = (k: string) => (form.fields[k] ?? '').trim();
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
      await writeApplication(trx, deps.clock, PUBLIC, prepared);
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
async function sendCode(trx: Trx, deps: AppDeps, key: Buffer, policy: Policy, row: { id: number; iin: string; typedPhones: (string | null)[] }, lang: Lang, requestId?: string): Promise<void> {
  const now = deps.clock.now();
  const known = await trx.selectFrom('parents').select(['id', 'phone1', 'phone2', 'lang']).where('iin', '=', row.iin).executeTakeFirst();
  const code = newCode();
  await trx
    .updateTable('first_applications')
    .set({ code_hmac: codeHmac(key, row.id, code), attempts: 0, expires_at: toDate(now.add({ minutes: policy.otpValidMinutes })), parent_id: known?.id ?? null })
    .where('id', '=', row.id)
    .execute();
  const phones = known ? [known.phone1, known.phone2] : row.typedPhones;
  for (const phone of new Set(phones.filter((p): p is string => !!p))) {
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
  await audit(trx, deps.clock, PUBLIC, { action: 'auth.parent_first_apply_otp_sent', subjectType: 'first_application', subjectId: row.id, data: { onFile: !!known, phones: new Set(phones.filter(Boolean)).size } }, requestId);
}

/**
 * One request for a code about an IIN: in one transaction under the IIN's lock and the sign-in
 * limits (a refusal is thrown after the transaction, so the attempt it counts stays written), then
 * `write` stores or finds what waits for the code and sends it.
 */
async function codeRequest(deps: AppDeps, policy: Policy, iin: string, address: string, requestId: string | undefined, write: (trx: Trx, k: Keys) => Promise<void>): Promise<FirstApplyRequested> {
  const k = await keys(deps, iin, address);
  const refusal = await deps.database.db.transaction().execute(async (trx): Promise<AppError | null> => {
    await lockIin(trx, k.iinHmac);
    const limited = await throttle(trx, deps, k, policy, requestId);
    if (limited) return limited;
    await write(trx, k);
    return null;
  });
  if (refusal) throw refusal;
  return { iin, resendAfterSeconds: policy.otpResendSeconds, validMinutes: policy.otpValidMinutes };
}

/** Only the newest form of an IIN waits for its code. */
async function supersedeWaiting(trx: Trx, k: Keys): Promise<void> {
  await trx.updateTable('first_applications').set({ status: 'superseded', form: null }).where('iin_hmac', '=', k.iinHmac).where('status', '=', 'awaiting_code').execute();
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
  const parentPart = (): ApplicationInput['parent'] => ({
    iin,
    lastName: p.lastName,
    firstName: p.firstName,
    ...(p.middleName ? { middleName: p.middleName } : {}),
    phone1: p.phone1,
    ...(p.phone2 ? { phone2: p.phone2 } : {}),
    ...(p.email ? { email: p.email } : {}),
    lang: input.lang,
  });
  // every rule of the queue core first, with stand-in document references
  // (every refusal of the form at once: the parent's fields, the child's, the documents)
  const checked = await checkApplication(deps, applicationInputOf(read, parentPart(), { privilege: read.privilegeFile ? 'upload:0' : null, pmpk: read.pmpkFile ? 'upload:0' : null }), read.problems);
  await dryRun(deps, checked);

  const now = toDate(deps.clock.now());
  return codeRequest(deps, policy, iin, input.address, requestId, async (trx, k) => {
    await supersedeWaiting(trx, k);
    const privilege = read.privilegeFile ? await storeUpload(trx, deps.clock, null, 'privilege', read.privilegeFile) : null;
    const pmpk = read.pmpkFile ? await storeUpload(trx, deps.clock, null, 'pmpk', read.pmpkFile) : null;
    const form = applicationInputOf(read, parentPart(), { privilege: privilege?.ref ?? null, pmpk: pmpk?.ref ?? null });
    const row = await trx
      .insertInto('first_applications')
      .values({
        iin_hmac: k.iinHmac,
        form: JSON.stringify(form),
        code_hmac: '-',
        created_at: now,
        expires_at: now,
        privilege_upload_id: privilege?.id ?? null,
        pmpk_upload_id: pmpk?.id ?? null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sendCode(trx, deps, k.key, policy, { id: row.id, iin, typedPhones: [checked.phone1, checked.phone2] }, input.lang, requestId);
  });
}

/** Another code for the waiting form of this IIN (same limits; the same answer when there is none). */
export async function resendFirstApplyCode(deps: AppDeps, input: { iin: string; address: string; lang: Lang }, requestId?: string): Promise<FirstApplyRequested> {
  const policy = await deps.city.getPolicy();
  const iin = checkParentIin(input.iin);
  return codeRequest(deps, policy, iin, input.address, requestId, async (trx, k) => {
    const row = await trx.selectFrom('first_applications').select(['id', 'form']).where('iin_hmac', '=', k.iinHmac).where('status', '=', 'awaiting_code').orderBy('id', 'desc').limit(1).forUpdate().executeTakeFirst();
    if (!row) return;
    const typed = typedParent.parse(row.form).parent;
    await sendCode(trx, deps, k.key, policy, { id: row.id, iin, typedPhones: [normalisePhone(typed.phone1), typed.phone2 ? normalisePhone(typed.phone2) : null] }, input.lang, requestId);
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
      if (prepared) created = await writeApplication(trx, deps.clock, (parentId) => ({ kind: 'parent', id: parentId }), prepared);
      else if (handover && row.handover_upload_id !== null) {
        const parentId = parentNow?.id ?? (await insertParent(trx, deps, handover.parent));
        handoverRequestId = (await writeHandoverRequest(trx, deps.clock, { kind: 'parent', id: parentId }, { parentId, childIin: handover.childIin, uploadId: row.handover_upload_id }, requestId)).id;
      }
      const parent = await trx.selectFrom('parents').select(['id', 'password_hash']).where('iin', '=', iin).executeTakeFirstOrThrow();
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
      const s = await createSession(trx, deps.clock, { kind: 'parent', userId: parent.id, lang: input.lang });
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
    .values({
      iin: p.iin,
      last_name: p.lastName,
      first_name: p.firstName,
      middle_name: p.middleName ?? null,
      phone1: normalisePhone(p.phone1)!,
      phone2: p.phone2 ? normalisePhone(p.phone2) : null,
      email: p.email ?? null,
      lang: p.lang,
      created_at: toDate(deps.clock.now()),
    })
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
  const typed = applicationInput.shape.parent.safeParse({
    iin,
    lastName: p.lastName,
    firstName: p.firstName,
    ...(p.middleName ? { middleName: p.middleName } : {}),
    phone1: p.phone1,
    ...(p.phone2 ? { phone2: p.phone2 } : {}),
    lang: input.lang,
  });
  if (!typed.success) throw new FieldsError(typed.error.issues.map((i) => zodProblem({ ...i, path: ['parent', ...i.path] })));
  const parent = typed.data;
  const phone1 = normalisePhone(parent.phone1);
  if (!phone1) throw new FieldsError([{ field: 'parent.phone1', code: 'phone_invalid', key: 'application.phone_invalid' }]);
  const phone2 = parent.phone2 ? normalisePhone(parent.phone2) : null;
  if (parent.phone2 && !phone2) throw new FieldsError([{ field: 'parent.phone2', code: 'phone_invalid', key: 'application.phone_invalid' }]);
  const file = checkUpload(input.form.file, input.form.truncated);

  const now = toDate(deps.clock.now());
  return codeRequest(deps, policy, iin, input.address, requestId, async (trx, k) => {
    await supersedeWaiting(trx, k);
    const upload = await storeUpload(trx, deps.clock, null, 'handover', file);
    const row = await trx
      .insertInto('first_applications')
      .values({ iin_hmac: k.iinHmac, kind: 'handover', form: JSON.stringify({ parent, childIin }), code_hmac: '-', created_at: now, expires_at: now, handover_upload_id: upload.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sendCode(trx, deps, k.key, policy, { id: row.id, iin, typedPhones: [phone1, phone2] }, input.lang, requestId);
  });
}

/**
 * Forms whose code never came back are of no use after a day: the form is cleared and the documents
 * stored with it (still without a parent) deleted, as are those of forms superseded or burnt.
 */
export async function pruneFirstApplications(deps: Pick<AppDeps, 'database' | 'clock'>): Promise<{ cleared: number; uploadsDeleted: number }> {
  const dayAgo = toDate(deps.clock.now().subtract({ hours: 24 }));
  return deps.database.db.transaction().execute(async (trx) => {
    const stale = await trx
      .selectFrom('first_applications')
      .select(['id', 'privilege_upload_id', 'pmpk_upload_id', 'handover_upload_id'])
      .where((eb) => eb.or([eb('status', 'in', ['burnt', 'superseded']), eb.and([eb('status', '=', 'awaiting_code'), eb('created_at', '<', dayAgo)])]))
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
