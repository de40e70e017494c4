/** A rule's answer: the value it gives, or the code of its refusal (the referral's, the voucher's, the path's rules). */
export type Result<T, C extends string> = { ok: true; value: T } | { ok: false; code: C };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const refuse = <C extends string>(code: C): { ok: false; code: C } => ({ ok: false, code });
