import type { SmsMessage, SmsProvider } from './providers.ts';
import { attemptsOf, post, wholeNumber, withRetries, type Attempts, type HttpServiceOptions } from '../http-client.ts';

/**
 * A real SMS gateway over HTTP. Every send is one POST of the message, rendered from a body template,
 * with the outbox row's key as the `Idempotency-Key` header (and `{key}` in the body): the outbox
 * sender retries until the gateway answers 2xx, so delivery is at least once, and a gateway that
 * honours the key delivers once. A request that does not answer within `timeoutMs` is abandoned
 * (the message is tried again later with the same key). Inside one send, a failed request is tried
 * again `retries` times after `backoffMs`, 2·backoffMs, …; past that the sender's own back-off and
 * dead letter (src/sms/sender.ts) take over.
 *
 * Settings (environment): KEZEK_SMS_PROVIDER=http, KEZEK_SMS_URL, KEZEK_SMS_TOKEN (sent as
 * "Authorization: Bearer …") or KEZEK_SMS_USER + KEZEK_SMS_PASSWORD (Basic), KEZEK_SMS_TEMPLATE
 * (the JSON body with {to}, {text}, {key}, {sender}; default {"to":"{to}","text":"{text}","id":"{key}"}),
 * KEZEK_SMS_SENDER, KEZEK_SMS_TIMEOUT_MS (10000), KEZEK_SMS_RETRIES (2).
 */
export interface HttpSmsOptions extends HttpServiceOptions {
  sender?: string | undefined;
}

export const DEFAULT_SMS_TEMPLATE = '{"to":"{to}","text":"{text}","id":"{key}"}';

/** JSON string contents (without the quotes) for a value placed inside the template's quotes. */
const jsonInner = (s: string) => JSON.stringify(s).slice(1, -1);

export function renderBody(template: string, msg: SmsMessage, sender = ''): string {
  const v: Record<string, string> = { to: msg.to, text: msg.body, key: msg.idempotencyKey, sender };
  return template.replace(/\{(to|text|key|sender)\}/g, (_, k: string) => jsonInner(v[k]!));
}

export class HttpSmsProvider implements SmsProvider {
  readonly name = 'http';
  private readonly template: string;
  private readonly attempts: Attempts;

  constructor(private readonly o: HttpSmsOptions) {
    this.template = o.template || DEFAULT_SMS_TEMPLATE;
    JSON.parse(renderBody(this.template, { to: '+70000000000', body: 'x"\\\n', idempotencyKey: 'k' })); // a broken template fails at start
    this.attempts = attemptsOf(o, { timeoutMs: 10_000, retries: 2, backoffMs: 500 });
  }

  async send(msg: SmsMessage): Promise<void> {
    await withRetries(this.attempts, () => this.once(msg));
  }

  private async once(msg: SmsMessage): Promise<void> {
    const res = await post(this.o.url, this.o, { 'content-type': 'application/json', 'idempotency-key': msg.idempotencyKey }, renderBody(this.template, msg, this.o.sender ?? ''), this.attempts.timeoutMs, 'gateway');
    const text = (await res.text().catch(() => '')).slice(0, 200);
    if (res.ok) return;
    // 4xx other than 408/409/425/429 will not get better by asking again soon (the sender still retries later)
    const permanent = res.status >= 400 && res.status < 500 && ![408, 409, 425, 429].includes(res.status);
    throw Object.assign(new Error(`gateway answered ${res.status}${text ? `: ${text}` : ''}`), { permanent });
  }
}

/** The provider the settings ask for: the http gateway, or null for the console provider. */
export function smsProviderFromEnv(env: NodeJS.ProcessEnv = process.env): HttpSmsProvider | null {
  const kind = env.KEZEK_SMS_PROVIDER ?? 'console';
  if (kind === 'console') return null;
  if (kind !== 'http') throw new Error(`KEZEK_SMS_PROVIDER must be "console" or "http", got "${kind}"`);
  if (!env.KEZEK_SMS_URL) throw new Error('KEZEK_SMS_URL is required with KEZEK_SMS_PROVIDER=http');
  const num = wholeNumber;
  return new HttpSmsProvider({
    url: env.KEZEK_SMS_URL,
    token: env.KEZEK_SMS_TOKEN,
    user: env.KEZEK_SMS_USER,
    password: env.KEZEK_SMS_PASSWORD,
    template: env.KEZEK_SMS_TEMPLATE,
    sender: env.KEZEK_SMS_SENDER,
    timeoutMs: num(env.KEZEK_SMS_TIMEOUT_MS, 'KEZEK_SMS_TIMEOUT_MS'),
    retries: num(env.KEZEK_SMS_RETRIES, 'KEZEK_SMS_RETRIES'),
  });
}

/**
 * The provider a service or `kezek sms send` uses: the configured gateway; the console provider only
 * in demo mode. In production the console provider is refused (it writes every text, one-time
 * passwords included, to the log, and no parent gets anything).
 */
export function smsProviderForMode(mode: 'demo' | 'production', console: () => SmsProvider, env: NodeJS.ProcessEnv = process.env): SmsProvider {
  const gateway = smsProviderFromEnv(env);
  if (gateway) return gateway;
  if (mode === 'production')
    throw new Error('No SMS gateway is configured (KEZEK_SMS_PROVIDER=http with KEZEK_SMS_URL …): production refuses the console provider, which writes one-time passwords to the log. See README "SMS gateway".');
  return console();
}
