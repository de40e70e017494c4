// Demo mode: the SMS "sent" (no gateway), newest first.
import { Layout, type PageContext } from '../web/layout.tsx';
import { trOf } from '../web/components.tsx';
import { formatDateTime } from '../web/format.ts';

export function demoSmsPage(ctx: PageContext, messages: { at: Date; phone: string; body: string; status: string }[]): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr('parents.demo_sms.title'),
    children: (
      <>
        <p safe>{tr('parents.demo_sms.intro')}</p>
        {messages.length === 0 ? <p safe>{tr('parents.demo_sms.none')}</p> : ''}
        <ul data-qa="demo-sms" style="padding-left:1.25rem">
          {messages.map((m) => (
            <li style="margin-bottom:.75rem" data-qa="demo-sms-item">
              <span class="muted" safe>{`${formatDateTime(ctx.lang, m.at)} · ${tr('parents.demo_sms.to')}: ${m.phone}`}</span>
              <br />
              <span data-qa="demo-sms-body" safe>
                {m.body}
              </span>
            </li>
          ))}
        </ul>
      </>
    ),
  });
}
