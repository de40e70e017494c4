import crypto from 'node:crypto';
import type { IdentityAnswer, IdentityCheck } from './port.ts';
import { attemptsOf, post, withRetries, type Attempts, type HttpServiceOptions } from '../http-client.ts';

/**
 * A register of mobile numbers over HTTP (UNTESTED against a real register: the request and the
 * answer's mapping are configuration, docs/IDENTITY.md). One POST per question, its body rendered
 * from a template; the answer is read from one field of the JSON response and mapped to yes / no;
 * anything else (another value, the field missing, HTTP 404) is 'unknown'. A request that does not
 * answer within `timeoutMs` is abandoned; a failed request (network, timeout, 5xx, 408/425/429) is
 * tried again `retries` times after backoffMs, 2·backoffMs, …; then it throws and the caller's
 * policy decides (src/identity/port.ts askIdentity). Other 4xx are not retried (a configuration
 * error: it throws at once).
 *
 * Settings (environment), like the SMS gateway's: KEZEK_IDENTITY_PROVIDER=http, KEZEK_IDENTITY_URL,
 * KEZEK_IDENTITY_TOKEN (Bearer) or KEZEK_IDENTITY_USER + KEZEK_IDENTITY_PASSWORD (Basic),
 * KEZEK_IDENTITY_TEMPLATE (JSON body with {phone}, {msisdn}, {iin}, {requestId}; default
 * {"msisdn":"{msisdn}","iin":"{iin}","requestId":"{requestId}"}), KEZEK_IDENTITY_ANSWER_FIELD (a dot
 * path into the JSON answer; default "match"), KEZEK_IDENTITY_YES and KEZEK_IDENTITY_NO (the values
 * that mean yes and no, comma-separated; default "true,yes,match" and "false,no,mismatch"),
 * KEZEK_IDENTITY_TIMEOUT_MS (5000), KEZEK_IDENTITY_RETRIES (1).
 */
export interface HttpIdentityOptions extends HttpServiceOptions {
  answerField?: string | undefined;
  yes?: readonly string[] | undefined;
  no?: readonly string[] | undefined;
}

export const DEFAULT_IDENTITY_TEMPLATE = '{"msisdn":"{msisdn}","iin":"{iin}","requestId":"{requestId}"}';
export const DEFAULT_IDENTITY_YES = ['true', 'yes', 'match'];
export const DEFAULT_IDENTITY_NO = ['false', 'no', 'mismatch'];

const jsonInner = (s: string) => JSON.stringify(s).slice(1, -1);

/** The request body: {phone} = +77011234567, {msisdn} = 77011234567, {iin}, {requestId} (a fresh UUID, also the X-Request-Id header). */
export function renderIdentityBody(template: string, v: { phone: string; iin: string; requestId: string }): string {
  const values: Record<string, string> = { phone: v.phone, msisdn: v.phone.replace(/^\+/, ''), iin: v.iin, requestId: v.requestId };
  return template.replace(/\{(phone|msisdn|iin|requestId)\}/g, (_, k: string) => jsonInner(values[k]!));
}

/** The value at a dot path ("result.match", "data.0.status") of a parsed JSON answer, as text; undefined when absent. */
export function valueAt(body: unknown, path: string): string | undefined {
  let v: unknown = body;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v === undefined || v === null || typeof v === 'object' ? undefined : String(v).trim().toLowerCase();
}

export class HttpIdentityCheck implements IdentityCheck {
  readonly name = 'http';
  private readonly template: string;
  private readonly answerField: string;
  private readonly yes: Set<string>;
  private readonly no: Set<string>;
  private readonly attempts: Attempts;

  constructor(private readonly o: HttpIdentityOptions) {
    this.template = o.template || DEFAULT_IDENTITY_TEMPLATE;
    JSON.parse(renderIdentityBody(this.template, { phone: '+70000000000', iin: '000000000000', requestId: 'x"\\' })); // a broken template fails at start
    this.answerField = o.answerField || 'match';
    this.yes = new Set((o.yes ?? DEFAULT_IDENTITY_YES).map((s) => s.trim().toLowerCase()));
    this.no = new Set((o.no ?? DEFAULT_IDENTITY_NO).map((s) => s.trim().toLowerCase()));
    for (const v of this.yes) if (this.no.has(v)) throw new Error(`identity register: "${v}" cannot mean both yes and no`);
    this.attempts = attemptsOf(o, { timeoutMs: 5_000, retries: 1, backoffMs: 300 });
  }

  async phoneBelongsTo(phone: string, iin: string): Promise<IdentityAnswer> {
    const requestId = crypto.randomUUID();
    return withRetries(this.attempts, () => this.once(phone, iin, requestId));
  }

  private async once(phone: string, iin: string, requestId: string): Promise<IdentityAnswer> {
    const res = await post(this.o.url, this.o, { 'content-type': 'application/json', accept: 'application/json', 'x-request-id': requestId }, renderIdentityBody(this.template, { phone, iin, requestId }), this.attempts.timeoutMs, 'identity register');
    const text = await res.text().catch(() => '');
    if (res.status === 404) return 'unknown';
    if (!res.ok) {
      const permanent = res.status >= 400 && res.status < 500 && ![408, 425, 429].includes(res.status);
      // the answer's text is not logged: a register may echo the number or the IIN
      throw Object.assign(new Error(`identity register answered ${res.status}`), { permanent });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw Object.assign(new Error('identity register answered with no JSON'), { permanent: true });
    }
    const v = valueAt(body, this.answerField);
    if (v !== undefined && this.yes.has(v)) return 'yes';
    if (v !== undefined && this.no.has(v)) return 'no';
    return 'unknown';
  }
}
