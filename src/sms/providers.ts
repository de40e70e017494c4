/** Where text messages go. A real gateway implements this; the demo uses the console provider. */
export interface SmsMessage {
  to: string;
  body: string;
  /** The outbox row's key: a gateway that supports it drops a repeated send of the same message. */
  idempotencyKey: string;
}

export interface SmsProvider {
  name: string;
  send(msg: SmsMessage): Promise<void>;
}

export interface SmsLogger {
  info(obj: object, msg?: string): void;
}

/**
 * The demo provider: writes each message to the log and keeps the last `keep` messages in memory
 * (a demo page shows them as the parents' phones would).
 */
export class ConsoleSmsProvider implements SmsProvider {
  readonly name = 'console';
  private readonly kept: (SmsMessage & { at: string })[] = [];
  constructor(
    private readonly logger?: SmsLogger,
    private readonly keep = 200,
    private readonly now: () => string = () => '',
  ) {}

  async send(msg: SmsMessage): Promise<void> {
    this.kept.push({ ...msg, at: this.now() });
    if (this.kept.length > this.keep) this.kept.splice(0, this.kept.length - this.keep);
    this.logger?.info({ sms: { to: msg.to, idempotencyKey: msg.idempotencyKey } }, `SMS to ${msg.to}: ${msg.body}`);
  }

  /** The kept messages, newest first. */
  recent(): readonly (SmsMessage & { at: string })[] {
    return [...this.kept].reverse();
  }
}
