import { AppError } from '../errors.ts';
import type { MessageKey, MessageList, MessageParam } from '../web/i18n/index.ts';
import type * as R from '../domain/referral.ts';

/** Why a referral use case refuses: the domain's refusal codes and the service's own. */
export type ServiceCode =
  | R.RefusalCode
  | 'not_queued'
  | 'stop_listed'
  | 'outstanding_referral'
  | 'cohort_mismatch'
  | 'language_mismatch'
  | 'group_type_mismatch'
  | 'not_preferred'
  | 'no_free_place'
  | 'already_enrolled'
  | 'not_stop_listed';

const INPUT_CODES: ReadonlySet<ServiceCode> = new Set(['documents_incomplete', 'documents_unknown', 'reason_required', 'extension_document_required', 'no_documents_ticked', 'refusal_reason_unknown']);

/** Documents by their names in the reader's language (never their keys). */
export const documentNames = (keys: readonly string[]): MessageList => ({ list: keys.map((k) => `parents.doc.${k}` as MessageKey) });

export function referralError(code: ServiceCode, params: Record<string, MessageParam> = {}): AppError {
  return new AppError(code, INPUT_CODES.has(code) ? 400 : 409, `referral.error.${code}` as MessageKey, params);
}
