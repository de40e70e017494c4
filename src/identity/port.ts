/**
 * The identity-check port (issue 13, identity squatting): "does this mobile number belong to this
 * IIN?" asked of a register of mobile numbers (operators' subscriber data, or a state register of
 * them), where the city has one. Three answers: 'yes', 'no', 'unknown' (the register does not know
 * the number or the person, or will not say). A register that cannot be reached throws; the caller
 * treats that as 'unknown' and the city's policy decides (identityUnknown: let through with a flag,
 * or refuse).
 *
 * Adapters: src/identity/http.ts (a register over HTTP, configured like the SMS gateway) and
 * src/identity/simulator.ts (tests and the demo). Which one: KEZEK_IDENTITY_PROVIDER
 * (src/identity/from-env.ts). docs/IDENTITY.md says what is sent and expected.
 */
export type IdentityAnswer = 'yes' | 'no' | 'unknown';

export interface IdentityCheck {
  /** 'http' or 'simulator' (logs and the audit entry name it). */
  readonly name: string;
  /** `phone` is +7 and 10 digits (normalised); `iin` 12 digits, already checked. */
  phoneBelongsTo(phone: string, iin: string): Promise<IdentityAnswer>;
}

/** The outcome a use case records: the answer, or 'unavailable' when the register did not answer. */
export type IdentityOutcome = IdentityAnswer | 'unavailable';

/** Ask the port; a failure (timeout, unreachable, a refusal by the register) is 'unavailable', never thrown. */
export async function askIdentity(port: IdentityCheck, phone: string, iin: string, onError?: (e: unknown) => void): Promise<IdentityOutcome> {
  try {
    return await port.phoneBelongsTo(phone, iin);
  } catch (e) {
    onError?.(e);
    return 'unavailable';
  }
}
