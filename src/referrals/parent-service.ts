import type { AppDeps } from '../context.ts';
import type { Actor } from '../audit/write.ts';
import { AppError } from '../errors.ts';
import { useCase } from '../usecase.ts';
import { EXTENSION_REASONS } from '../domain/referral.ts';
import { checkUpload, deleteUploads, storeUpload } from '../uploads/service.ts';
import type { CabinetReferral } from '../workspaces/cabinet/loaders.ts';
import { extendReferral, referralError } from './service.ts';

/**
 * The parent asks to extend a referral on its last day, with a supporting document. Refused before
 * the file is stored when it cannot happen; the file is stored, then the referral extended
 * (extendReferral, its own transaction); a refusal there deletes the stored file, so a refused
 * extension leaves no upload behind.
 */
export async function askExtension(
  deps: AppDeps,
  actor: Actor,
  parentId: number,
  referral: CabinetReferral,
  input: { reason: string | undefined; note: string | undefined; file: Buffer | null; truncated: boolean },
): Promise<{ deadline: string }> {
  const reason = EXTENSION_REASONS.find((x) => x === input.reason);
  if (!referral.canExtend) throw referralError(referral.status !== 'issued' ? 'not_issued' : referral.extended ? 'already_extended' : 'extension_not_last_day');
  if (!reason) throw new AppError('invalid_input', 400, 'referral.error.reason_required');
  const file = checkUpload(input.file, input.truncated);
  const note = input.note?.trim() ? input.note.trim().slice(0, 500) : undefined;
  const stored = await useCase(deps, actor, { permission: null }, ({ trx }) => storeUpload(trx, deps.clock, parentId, 'extension', file));
  try {
    return await extendReferral(deps, actor, referral.id, { reason, note, documentRef: stored.ref });
  } catch (e) {
    await deleteUploads(deps.database.db, [stored.id]);
    throw e;
  }
}
