import crypto from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, UploadPurpose, UploadType } from '../db/schema.ts';
import { toDate, type Clock } from '../clock.ts';
import { AppError } from '../errors.ts';

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
