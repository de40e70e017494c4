// The parent's home: the applications at a glance (queue numbers, referrals, "why not me yet?"), the
// parent's own data and the messages sent. The pieces are the capabilities' own.
import type { PageContext } from '../../web/page-context.ts';
import { nameIn } from '../../web/queries.ts';
import { LinkLine, trOf } from '../../web/components.tsx';
import { formatDate, formatDateTime } from '../../web/format.ts';
import { CabinetPage } from '../../web/parent-fields.tsx';
import { fullName } from '../../domain/names.ts';
import { Position, StopState } from '../../applications/parent-pages.tsx';
import type { WhyNotYet } from '../../distribution/why.ts';
import { WhyNotYetTable } from '../../distribution/why-view.tsx';
import type { CabinetApplication, CabinetMessage, CabinetParent, CabinetReferral } from './loaders.ts';
import { RefreshBox } from '../../refresh/pages.tsx';
import type { RefreshState } from '../../refresh/service.ts';
import { NextActionBox, NextActionLine, isDue, stateKey, type NextActionDays } from './next-action.tsx';
import { Problem } from '../../web/forms.tsx';

function ReferralLine(props: { ctx: PageContext; r: CabinetReferral }): JSX.Element {
  const { ctx, r } = props;
  const tr = trOf(ctx);
  return (
    <li data-qa="referral-line">
      <a href={`/cabinet/referrals/${r.id}?lang=${ctx.lang}`} safe>
        {tr('parents.referral', { number: r.number })}
      </a>
      {' — ' as 'safe'}
      <span safe>{nameIn(ctx.lang, r.organisation)}</span>: <strong safe>{tr(`parents.referral.status.${r.status}`)}</strong>
      {r.status === 'issued' ? <span safe>{` (${tr('parents.referral.deadline')}: ${formatDate(ctx.lang, r.deadline)})`}</span> : ''}
      {r.status === 'registered' && r.contract?.status === 'pending' && r.missingDocuments.length > 0 ? (
        <p class="notice" data-qa="bring-documents-line" safe>
          {`${tr('parents.referral.bring', { date: formatDate(ctx.lang, r.contract.deadline) })} ${r.missingDocuments.map((d) => tr(`parents.doc.${d}`)).join('; ')}`}
        </p>
      ) : (
        ''
      )}
    </li>
  );
}

/**
 * `why`: each waiting application's "why not me yet?" (explainWait), by application id. Whatever is
 * due for a child (nextAction) leads the page and the child's card; the queue number, "why not me
 * yet?" and the near-head warning only while the child is really waiting.
 */
export function cabinetPage(
  ctx: PageContext,
  o: { parent: CabinetParent; apps: CabinetApplication[]; messages: CabinetMessage[]; nearHead: boolean; days: NextActionDays; notice?: string | null; why?: Map<number, WhyNotYet>; refresh?: Map<number, RefreshState> },
): string {
  const tr = trOf(ctx);
  const { parent, apps } = o;
  const due = apps.filter((a) => isDue(a.next));
  return CabinetPage(
    ctx,
    { title: tr('parents.title.cabinet'), back: false, notice: o.notice },
    <>
      {due.length ? (
        <section data-qa="next-actions" aria-labelledby="next-h">
          <h2 id="next-h" safe>
            {tr('parents.next.title')}
          </h2>
          {due.map((a) => (
            <NextActionBox ctx={ctx} app={a} days={o.days} title={fullName(a.child)} />
          ))}
        </section>
      ) : (
        ''
      )}
      {apps.map((a) => (
        <RefreshBox ctx={ctx} applicationId={a.id} state={o.refresh?.get(a.id)} child={fullName(a.child)} number={a.number} />
      ))}
      {o.nearHead ? <Problem qa="phone-warning" error={tr('parents.phone_warning')} /> : ''}
      <h2 safe>{tr('parents.apps')}</h2>
      {apps.length === 0 ? <p safe>{tr('parents.apps.none')}</p> : ''}
      <p>
        <a href={`/cabinet/apply?lang=${ctx.lang}`} data-qa="apply-link" safe>
          {tr('parents.apply.link')}
        </a>
      </p>
      {apps.map((a) => (
        <section class="card" data-qa="application" aria-labelledby={`app-${a.id}`}>
          <h3 id={`app-${a.id}`} safe>
            {tr('parents.app.title', { name: fullName(a.child), number: a.number })}
          </h3>
          <NextActionLine ctx={ctx} app={a} />
          {a.transfer ? (
            <p class="muted" data-qa="transfer-request" safe>
              {tr('transfers.cabinet.request')}
            </p>
          ) : (
            ''
          )}
          <p>
            <span safe>{tr('parents.app.status')}</span>: <strong safe>{tr(stateKey(a))}</strong>
          </p>
          <p>
            <a href={`/cabinet/applications/${a.id}?lang=${ctx.lang}`} data-qa="app-open" safe>
              {tr('parents.app.open')}
            </a>
          </p>
          {a.status === 'enrolled' ? (
            // a placed child: leaving, attendance, an exchange proposed to this parent, transfer and exchange
            <>
              <LinkLine
                links={[
                  { href: `/cabinet/applications/${a.id}/leave?lang=${ctx.lang}`, qa: 'leave-link', text: tr('parents.leave.link') },
                  { href: `/cabinet/applications/${a.id}/attendance?lang=${ctx.lang}`, qa: 'attendance-link', text: tr('parents.attendance.link') },
                ]}
              />
              {a.exchangeWaiting ? (
                <p class="notice" data-qa="exchange-waiting">
                  <a href={`/cabinet/applications/${a.id}/exchange?lang=${ctx.lang}`} safe>
                    {tr('exchanges.cabinet.waiting')}
                  </a>
                </p>
              ) : (
                ''
              )}
              <LinkLine
                links={[
                  { href: `/cabinet/applications/${a.id}/transfer?lang=${ctx.lang}`, qa: 'transfer-link', text: tr('transfers.cabinet.link') },
                  { href: `/cabinet/applications/${a.id}/exchange?lang=${ctx.lang}`, qa: 'exchange-link', text: tr('exchanges.cabinet.link') },
                ]}
              />
            </>
          ) : (
            ''
          )}
          {a.next.kind === 'wait' ? (
            <>
              <Position ctx={ctx} app={a} />
              <StopState ctx={ctx} app={a} />
            </>
          ) : (
            ''
          )}
          {a.referrals.length ? <ul>{a.referrals.map((r) => <ReferralLine ctx={ctx} r={r} />)}</ul> : ''}
          {a.next.kind === 'wait' ? (
            <details data-qa="why">
              <summary safe>{tr('parents.app.why')}</summary>
              <p safe>{tr('parents.app.why.text')}</p>
              {o.why?.get(a.id) ? <WhyNotYetTable lang={ctx.lang} why={o.why.get(a.id)!} /> : ''}
            </details>
          ) : (
            ''
          )}
        </section>
      ))}
      <h2 safe>{tr('parents.my_data')}</h2>
      <p class="muted" safe>
        {tr('parents.check_data')}
      </p>
      <dl class="facts" data-qa="my-data" style="grid-template-columns:minmax(0,1fr);gap:0 1rem">
        <dt safe>{tr('parents.iin')}</dt>
        <dd safe>{parent.iin}</dd>
        <dt safe>{tr('parents.name')}</dt>
        <dd safe>{fullName(parent)}</dd>
        <dt safe>{tr('parents.phone1')}</dt>
        <dd safe>{parent.phone1}</dd>
        <dt safe>{tr('parents.phone2')}</dt>
        <dd safe>{parent.phone2 ?? tr('parents.none')}</dd>
        <dt safe>{tr('parents.email')}</dt>
        <dd safe>{parent.email ?? tr('parents.none')}</dd>
      </dl>
      {apps.flatMap((a) => [a]).length ? (
        <dl class="facts">
          {apps.map((a) => (
            <>
              <dt safe>{a.number}</dt>
              <dd safe>{`${fullName(a.child)}, ${a.child.iin}, ${formatDate(ctx.lang, a.child.birthDate)}`}</dd>
            </>
          ))}
        </dl>
      ) : (
        ''
      )}
      <p>
        <a href={`/cabinet/phone?lang=${ctx.lang}`} data-qa="phone-link" safe>
          {tr('parents.phone.link')}
        </a>
      </p>
      <p>
        <a href={`/cabinet/password?lang=${ctx.lang}`} safe>
          {tr('parents.password.change')}
        </a>
      </p>
      <h2 safe>{tr('parents.messages')}</h2>
      <MessageList ctx={ctx} messages={o.messages} />
    </>,
  );
}

function MessageList(props: { ctx: PageContext; messages: CabinetMessage[] }): JSX.Element {
  const tr = trOf(props.ctx);
  if (props.messages.length === 0) return <p safe>{tr('parents.messages.none')}</p>;
  return (
    <ul class="messages" data-qa="messages" style="padding-left:1.25rem">
      {props.messages.map((m) => (
        <li style="margin-bottom:.5rem">
          <span class="muted" safe>{`${formatDateTime(props.ctx.lang, m.at)} · ${m.phone} · ${tr(`parents.messages.status.${m.status}`)}`}</span>
          <br />
          <span safe>{m.body}</span>
        </li>
      ))}
    </ul>
  );
}
