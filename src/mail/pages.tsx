// Demo mode: the e-mails "sent" (no SMTP server), newest first.
import { Layout, type PageContext } from '../web/layout.tsx';
import { trOf } from '../web/components.tsx';
import { formatDateTime } from '../web/format.ts';
import type { DemoMail } from './demo.ts';

export function demoMailPage(ctx: PageContext, mails: DemoMail[]): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr('mail.demo.title'),
    children: (
      <>
        <p safe>{tr('mail.demo.intro')}</p>
        {mails.length === 0 ? <p safe>{tr('mail.demo.none')}</p> : ''}
        <ul data-qa="demo-mail" style="padding-left:1.25rem">
          {mails.map((m) => (
            <li style="margin-bottom:.75rem" data-qa="demo-mail-item">
              <span class="muted" safe>{`${formatDateTime(ctx.lang, m.at)} · ${tr('mail.demo.to')}: ${m.email}`}</span>
              <br />
              <strong data-qa="demo-mail-subject" safe>
                {m.subject}
              </strong>
              <br />
              <span data-qa="demo-mail-body" safe>
                {m.body}
              </span>
            </li>
          ))}
        </ul>
      </>
    ),
  });
}
