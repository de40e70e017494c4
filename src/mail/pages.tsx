// Demo mode: the e-mails "sent" (no SMTP server), newest first.
import type { PageContext } from '../web/page-context.ts';
import { trOf } from '../web/components.tsx';
import { demoSentPage } from '../web/demo-sent.tsx';
import type { DemoMail } from './demo.ts';

export function demoMailPage(ctx: PageContext, mails: DemoMail[]): string {
  const tr = trOf(ctx);
  return demoSentPage(
    ctx,
    { title: tr('mail.demo.title'), intro: tr('mail.demo.intro'), none: tr('mail.demo.none'), to: tr('mail.demo.to'), qa: 'demo-mail' },
    mails.map((m) => ({ at: m.at, to: m.email, subject: m.subject, body: m.body })),
  );
}
