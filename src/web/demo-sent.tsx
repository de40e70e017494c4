// Demo mode: what was "sent" (SMS with no gateway, e-mail with no SMTP server), newest first — the
// one page both demo outboxes are shown on.
import { Layout } from './layout.tsx';
import type { PageContext } from './page-context.ts';
import { formatDateTime } from './format.ts';

export interface SentItem {
  at: Date;
  to: string;
  /** An e-mail's subject (an SMS has none). */
  subject?: string;
  body: string;
}

export function demoSentPage(ctx: PageContext, head: { title: string; intro: string; none: string; to: string; qa: string }, items: SentItem[]): string {
  return Layout({
    ctx,
    title: head.title,
    children: (
      <>
        <p safe>{head.intro}</p>
        {items.length === 0 ? <p safe>{head.none}</p> : ''}
        <ul data-qa={head.qa} style="padding-left:1.25rem">
          {items.map((m) => (
            <li style="margin-bottom:.75rem" data-qa={`${head.qa}-item`}>
              <span class="muted" safe>{`${formatDateTime(ctx.lang, m.at)} · ${head.to}: ${m.to}`}</span>
              <br />
              {m.subject === undefined ? (
                ''
              ) : (
                <>
                  <strong data-qa={`${head.qa}-subject`} safe>
                    {m.subject}
                  </strong>
                  <br />
                </>
              )}
              <span data-qa={`${head.qa}-body`} safe>
                {m.body}
              </span>
            </li>
          ))}
        </ul>
      </>
    ),
  });
}
