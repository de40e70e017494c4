import type { AppDeps, CityState } from '../context.ts';
import { sendDueOutbox, type SendResult } from '../sms/sender.ts';
import { mailDeliverer, type MailProvider } from './providers.ts';

/** Send due e-mails once: the outbox's sender on the 'email' channel (lanes, retries, dead letter as for SMS). */
export function sendDueMail(
  deps: Pick<AppDeps, 'database' | 'clock'> & { city?: Pick<CityState, 'getPolicy'> },
  provider: MailProvider,
  opts: { batch?: number; bulkPerMinute?: number } = {},
): Promise<SendResult> {
  return sendDueOutbox(deps, 'email', mailDeliverer(provider), opts);
}
