import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, UploadPurpose, UploadType } from '../db/schema.ts';
import { toDate, type Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import type { AppDeps } from '../context.ts';
import type { Actor } from '../audit/write.ts';
import { useCase } from '../usecase.ts';

/**
 * Supporting documents (an extension's reason, a privilege, the PMPK conclusion, an ID-card scan):
 * PDF, JPEG or PNG, at most 5 MB, the type told from the content (the file's first bytes), never
 * from its name or the browser's claim. Kept in the database (bytea): backups stay whole, both
 * engines behave the same, and any number of service processes see the same files.
 */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/** The type of a file from its first bytes, or null when it is none of the accepted kinds. */
export function sniffType(data: Buffer): UploadType | null {
  if (data.length >= 5 && data.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  return null;
}

export function checkUpload(data: Buffer | undefined | null, truncated = false): { data: Buffer; type: UploadType } {
  if (!data || data.length === 0) throw new AppError('file_required', 400, 'parents.upload.required');
  if (truncated || data.length > MAX_UPLOAD_BYTES) throw new AppError('file_too_large', 400, 'parents.upload.too_large', { mb: MAX_UPLOAD_BYTES / 1024 / 1024 });
  const type = sniffType(data);
  if (!type) throw new AppError('file_type', 400, 'parents.upload.type');
  return { data, type };
}

/** Store a checked file in the caller's transaction; its reference for other records is `upload:<id>`. */
export async function storeUpload(trx: Kysely<DB>, clock: Clock, parentId: number | null, purpose: UploadPurpose, file: { data: Buffer; type: UploadType }): Promise<{ id: number; ref: string }> {
  const row = await trx
    .insertInto('uploads')
    .values({
      parent_id: parentId,
      purpose,
      content_type: file.type,
      size: file.data.length,
      sha256: crypto.createHash('sha256').update(file.data).digest('hex'),
      data: file.data,
      created_at: toDate(clock.now()),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, ref: `upload:${row.id}` };
}

/** Delete stored files no record refers to (a use case refused after storing them). */
export async function deleteUploads(db: Kysely<DB>, ids: number[]): Promise<void> {
  if (ids.length) await db.deleteFrom('uploads').where('id', 'in', ids).execute();
}

/** A stored file's type and bytes, or null. */
export async function loadUpload(db: Kysely<DB>, id: number): Promise<{ contentType: UploadType; data: Buffer } | null> {
  const u = await db.selectFrom('uploads').select(['content_type', 'data']).where('id', '=', id).executeTakeFirst();
  return u ? { contentType: u.content_type, data: u.data } : null;
}

/** A stored document of a privilege claim or an extension, for the department's review; null for any other. */
export async function loadDepartmentDocument(db: Kysely<DB>, id: number): Promise<{ contentType: UploadType; data: Buffer } | null> {
  const u = await db.selectFrom('uploads').select(['content_type', 'data', 'purpose']).where('id', '=', id).executeTakeFirst();
  if (!u || (u.purpose !== 'privilege' && u.purpose !== 'extension')) return null;
  return { contentType: u.content_type, data: u.data };
}

/** A refused document reference (one answer for every reason: another family's, wrong kind, used, made up). */
export const documentInvalid = (field: string) => new AppError('document_invalid', 400, 'document.invalid', { field });

/**
 * A record refers to a supporting document (a privilege claim, the PMPK conclusion, an extension):
 * the reference must be `upload:<id>` of an upload of the same parent, stored for this purpose, and
 * not referred to before; it is then marked used, in the caller's transaction (the row is locked, so
 * two records racing for one document: one wins). `paper`: staff entering a paper document they saw
 * may give its own reference (any text not of the upload:<id> form); an upload:<id> is checked as
 * a parent's would be.
 */
export async function useDocument(
  trx: Kysely<DB>,
  clock: Clock,
  ref: string,
  o: { parentId: number; purpose: UploadPurpose; field: string; paper?: boolean },
): Promise<void> {
  const m = /^upload:([0-9]{1,15})$/.exec(ref.trim());
  if (!m) {
    if (o.paper) return;
    throw documentInvalid(o.field);
  }
  const id = Number(m[1]);
  const u = await trx.selectFrom('uploads').select(['id', 'parent_id', 'purpose', 'used_at']).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!u || u.parent_id !== o.parentId || u.purpose !== o.purpose || u.used_at !== null) throw documentInvalid(o.field);
  const done = await trx.updateTable('uploads').set({ used_at: toDate(clock.now()) }).where('id', '=', id).where('used_at', 'is', null).executeTakeFirst();
  if (Number(done.numUpdatedRows) !== 1) throw documentInvalid(o.field);
}

/** Unused documents a parent may hold at once through the API (each is 5 MB at most). */
export const MAX_UNUSED_UPLOADS = 10;
export const PARENT_DOCUMENT_PURPOSES = ['privilege', 'pmpk', 'extension'] as const;

/**
 * A parent stores a supporting document through the JSON API, to refer to it as `upload:<id>` in a
 * privilege claim, a PMPK conclusion or an extension (useDocument checks it is theirs, of that
 * kind, and used once). At most MAX_UNUSED_UPLOADS unused at a time.
 */
export async function uploadParentDocument(
  deps: AppDeps,
  actor: Actor,
  purpose: (typeof PARENT_DOCUMENT_PURPOSES)[number],
  file: Buffer | null,
  truncated: boolean,
): Promise<{ id: number; ref: string }> {
  const checked = checkUpload(file, truncated);
  return useCase(deps, actor, { permission: 'application.read_own' }, async ({ trx, audit }) => {
    const parentId = actor.id!;
    await trx.selectFrom('parents').select('id').where('id', '=', parentId).forUpdate().executeTakeFirstOrThrow();
    const unused = await trx.selectFrom('uploads').select((eb) => eb.fn.countAll<number>().as('n')).where('parent_id', '=', parentId).where('used_at', 'is', null).where('purpose', 'in', [...PARENT_DOCUMENT_PURPOSES]).executeTakeFirstOrThrow();
    if (Number(unused.n) >= MAX_UNUSED_UPLOADS) throw new AppError('too_many_uploads', 429, 'document.too_many', { max: MAX_UNUSED_UPLOADS });
    const stored = await storeUpload(trx, deps.clock, parentId, purpose, checked);
    await audit({ action: 'upload.stored', subjectType: 'upload', subjectId: stored.id, data: { purpose } });
    return stored;
  });
}
