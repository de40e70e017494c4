// Demo mode: the SMS "sent" (no gateway), newest first.
import type { PageContext } from '../web/page-context.ts';
import { trOf } from '../web/components.tsx';
import { demoSentPage } from '../web/demo-sent.tsx';

export function demoSmsPage(ctx: PageContext, messages: { at: Date; phone: string; body: string; status: string }[]): string {
  const tr = trOf(ctx);
  return demoSentPage(
    ctx,
    { title: tr('parents.demo_sms.title'), intro: tr('parents.demo_sms.intro'), none: tr('parents.demo_sms.none'), to: tr('parents.demo_sms.to'), qa: 'demo-sms' },
    messages.map((m) => ({ at: m.at, to: m.phone, body: m.body })),
  );
}
