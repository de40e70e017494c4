import nodemailer, { type Transporter } from 'nodemailer';
import type { OutboxDeliverer, OutboxRow } from '../sms/sender.ts';

/**
 * Where e-mails go. The outbox's sender (src/sms/sender.ts, channel 'email') hands each claimed row
 * to one of these; retries, back-off and the dead letter are the outbox's, as for SMS.
 */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /** The outbox row's key: the Message-ID is made from it, so a repeated send is the same message to the receiving side. */
  idempotencyKey: string;
}

export interface MailProvider {
  name: string;
  send(msg: MailMessage): Promise<void>;
  close?(): void;
}

export function mailDeliverer(p: MailProvider): OutboxDeliverer {
  return {
    name: p.name,
    deliver: (r: OutboxRow) => {
      if (!r.email || !r.subject) throw new Error('an e-mail row without an address or a subject');
      return p.send({ to: r.email, subject: r.subject, text: r.body, idempotencyKey: r.idempotency_key });
    },
  };
}

export interface SmtpOptions {
  /** smtp://user:password@host:587 or smtps://…:465 (nodemailer's connection URL). */
  url: string;
  from: string;
  timeoutMs?: number | undefined;
}

/**
 * A real SMTP server through nodemailer (a pooled connection). Each message carries
 * `Message-ID: <key@kezek>` and an `X-Kezek-Idempotency-Key` header: sent again after a lost answer,
 * it is the same message to the receiving side (which may drop the duplicate by its Message-ID).
 */
export class SmtpMailProvider implements MailProvider {
  readonly name = 'smtp';
  private readonly transport: Transporter;
  constructor(private readonly opts: SmtpOptions) {
    const t = opts.timeoutMs ?? 10_000;
    this.transport = nodemailer.createTransport(opts.url, { connectionTimeout: t, greetingTimeout: t, socketTimeout: t } as object);
  }

  async send(msg: MailMessage): Promise<void> {
    await this.transport.sendMail({
      from: this.opts.from,
      to: msg.to,
      subject: msg.subject,
      text: msg.text,
      messageId: `<${msg.idempotencyKey}@kezek>`,
      headers: { 'X-Kezek-Idempotency-Key': msg.idempotencyKey },
    });
  }

  close(): void {
    this.transport.close();
  }
}

/** The demo provider: each mail to the log (the demo page /demo/mail reads the outbox). */
export class ConsoleMailProvider implements MailProvider {
  readonly name = 'console';
  constructor(private readonly logger?: { info(obj: object, msg?: string): void }) {}
  async send(msg: MailMessage): Promise<void> {
    this.logger?.info({ mail: { to: msg.to, idempotencyKey: msg.idempotencyKey } }, `e-mail to ${msg.to}: ${msg.subject}`);
  }
}

/**
 * The provider the settings ask for: KEZEK_SMTP_URL set → SMTP (KEZEK_SMTP_FROM required,
 * KEZEK_SMTP_TIMEOUT_MS optional); unset → null (the console provider).
 */
export function mailProviderFromEnv(env: NodeJS.ProcessEnv = process.env): SmtpMailProvider | null {
  const url = env.KEZEK_SMTP_URL;
  if (!url) return null;
  if (!/^smtps?:\/\//.test(url)) throw new Error(`KEZEK_SMTP_URL must start with smtp:// or smtps://, got "${url.replace(/\/\/[^@]*@/, '//…@')}"`);
  const from = env.KEZEK_SMTP_FROM;
  if (!from || !/^[^@\s<>]+@[^@\s<>]+$|<[^@\s<>]+@[^@\s<>]+>$/.test(from)) throw new Error('KEZEK_SMTP_FROM (the sender address, e.g. "Kezek <noreply@example.kz>") is required with KEZEK_SMTP_URL');
  const tm = env.KEZEK_SMTP_TIMEOUT_MS;
  if (tm !== undefined && tm !== '' && (!Number.isInteger(Number(tm)) || Number(tm) < 1)) throw new Error(`KEZEK_SMTP_TIMEOUT_MS must be a whole number, got "${tm}"`);
  return new SmtpMailProvider({ url, from, timeoutMs: tm ? Number(tm) : undefined });
}
