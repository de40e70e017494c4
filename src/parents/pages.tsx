import { t, type MessageKey } from '../web/i18n/index.ts';
import { Layout, type PageContext } from '../web/layout.tsx';
import { Csrf } from '../web/forms.tsx';
import { nameIn } from '../web/queries.ts';
import { formatDate, formatDateTime, formatDateTimeSeconds } from '../web/format.ts';
import { PASSWORD_MIN_LENGTH } from './signin.ts';
import type { CabinetApplication, CabinetMessage, CabinetParent, CabinetReferral } from './cabinet.ts';
import { EXTENSION_REASONS } from '../domain/referral.ts';
import type { WhyNotYet } from '../distribution/why.ts';
import { WhyNotYetTable } from '../distribution/why-view.tsx';

export type Tr = (k: MessageKey, p?: Record<string, string | number>) => string;
export const trOf = (ctx: PageContext): Tr => (k, p) => t(ctx.lang, k, p);
export { Csrf };

export function Problem(props: { error?: string | null | undefined }): JSX.Element {
  return props.error ? (
    <p class="error" role="alert" data-qa="error" safe>
      {props.error}
    </p>
  ) : (
    ''
  );
}

export function Notice(props: { text?: string | null | undefined }): JSX.Element {
  return props.text ? (
    <p class="notice" role="status" data-qa="notice" safe>
      {props.text}
    </p>
  ) : (
    ''
  );
}

export function IinField(props: { tr: Tr; value?: string | undefined }): JSX.Element {
  return (
    <div>
      <label for="iin">
        {props.tr('parents.iin') as 'safe'}
        <span class="hint" id="iin-hint" safe>
          {props.tr('parents.iin.hint')}
        </span>
      </label>
      <input type="text" id="iin" name="iin" value={props.value ?? ''} required inputmode="numeric" pattern="[0-9 ]{12,15}" maxlength="15" autocomplete="username" aria-describedby="iin-hint" />
    </div>
  );
}

const fullName = (p: { lastName: string; firstName: string; middleName: string | null }) => [p.lastName, p.firstName, p.middleName].filter(Boolean).join(' ');

/** The cabinet's own bar: back to the cabinet and sign-out (the site header shows sign-out for staff only). */
function CabinetBar(props: { ctx: PageContext; back?: boolean }): JSX.Element {
  const tr = trOf(props.ctx);
  return (
    <div class="cabinet-bar" style="display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:0 0 1rem">
      {props.back ? (
        <a href={`/cabinet?lang=${props.ctx.lang}`} safe>
          {tr('parents.back')}
        </a>
      ) : (
        ''
      )}
      <form method="post" action="/logout" class="inline">
        <Csrf ctx={props.ctx} />
        <button type="submit" class="link" data-qa="sign-out" safe>
          {tr('parents.sign_out')}
        </button>
      </form>
    </div>
  );
}

export function loginPage(ctx: PageContext, o: { iin?: string; error?: string | null } = {}): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr('parents.title.login'),
    children: (
      <>
        <p safe>{tr('parents.login.intro')}</p>
        <Problem error={o.error} />
        <form method="post" action={`/cabinet/login?lang=${ctx.lang}`} class="stack" data-qa="parent-login">
          <Csrf ctx={ctx} />
          <IinField tr={tr} value={o.iin} />
          <div>
            <label for="password" safe>
              {tr('parents.password')}
            </label>
            <input type="password" id="password" name="password" required autocomplete="current-password" maxlength="200" />
          </div>
          <div>
            <button type="submit" data-qa="login-submit" safe>
              {tr('parents.sign_in')}
            </button>
          </div>
        </form>
        <p>
          <a href={`/cabinet/otp?lang=${ctx.lang}`} data-qa="first-time" safe>
            {tr('parents.first_time')}
          </a>
        </p>
        <p>
          <a href={`/apply?lang=${ctx.lang}`} data-qa="first-apply-link" safe>
            {tr('parents.first.link')}
          </a>
        </p>
      </>
    ),
  });
}

export function otpRequestPage(ctx: PageContext, o: { iin?: string; error?: string | null } = {}): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr('parents.title.otp'),
    children: (
      <>
        <p safe>{tr('parents.otp.intro')}</p>
        <Problem error={o.error} />
        <form method="post" action={`/cabinet/otp?lang=${ctx.lang}`} class="stack" data-qa="otp-request">
          <Csrf ctx={ctx} />
          <IinField tr={tr} value={o.iin} />
          <div>
            <button type="submit" data-qa="otp-send" safe>
              {tr('parents.otp.send')}
            </button>
          </div>
        </form>
      </>
    ),
  });
}

export function otpEnterPage(ctx: PageContext, o: { iin: string; minutes: number; resendSeconds: number; error?: string | null; notice?: boolean }): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr('parents.title.otp_enter'),
    children: (
      <>
        {o.notice === false ? '' : <Notice text={tr('parents.otp.sent', { minutes: o.minutes })} />}
        <Problem error={o.error} />
        <form method="post" action={`/cabinet/otp/verify?lang=${ctx.lang}`} class="stack" data-qa="otp-verify">
          <Csrf ctx={ctx} />
          <input type="hidden" name="iin" value={o.iin} />
          <CodeField tr={tr} />
          <div>
            <button type="submit" data-qa="otp-submit" safe>
              {tr('parents.sign_in')}
            </button>
          </div>
        </form>
        <ResendCodeForm ctx={ctx} action={`/cabinet/otp?lang=${ctx.lang}`} iin={o.iin} seconds={o.resendSeconds} />
        <p class="muted" safe>
          {tr('parents.otp.no_sms')}
        </p>
        <DemoSmsLink ctx={ctx} />
      </>
    ),
  });
}

export function passwordPage(ctx: PageContext, o: { error?: string | null; first: boolean }): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr(o.first ? 'parents.title.password' : 'parents.password.change'),
    children: (
      <>
        <CabinetBar ctx={ctx} back={!o.first} />
        <p safe>{tr('parents.password.intro')}</p>
        <Problem error={o.error} />
        <form method="post" action={`/cabinet/password?lang=${ctx.lang}`} class="stack" data-qa="set-password">
          <Csrf ctx={ctx} />
          <div>
            <label for="password">
              {tr('parents.password.new') as 'safe'}
              <span class="hint" id="pw-hint" safe>
                {tr('parents.password.new.hint', { min: PASSWORD_MIN_LENGTH })}
              </span>
            </label>
            <input type="password" id="password" name="password" required minlength={String(PASSWORD_MIN_LENGTH)} maxlength="200" autocomplete="new-password" aria-describedby="pw-hint" />
          </div>
          <div>
            <label for="confirm" safe>
              {tr('parents.password.confirm')}
            </label>
            <input type="password" id="confirm" name="confirm" required maxlength="200" autocomplete="new-password" />
          </div>
          <div>
            <button type="submit" data-qa="password-save" safe>
              {tr('parents.password.save')}
            </button>
          </div>
        </form>
      </>
    ),
  });
}

function Position(props: { ctx: PageContext; app: CabinetApplication }): JSX.Element {
  const { ctx, app } = props;
  const tr = trOf(ctx);
  const pos = app.position;
  if (!pos) return '';
  return (
    <>
      <p class="big" data-qa="queue-number" safe>
        {tr('parents.app.position', { year: String(app.birthYear), n: pos.cohort.position })}
      </p>
      <p safe>{tr('parents.app.ahead', pos.cohort.aheadByTier)}</p>
      {app.preferences.length ? (
        <>
          <p style="margin-bottom:0" safe>
            {tr('parents.app.by_org')}:
          </p>
          <ul data-qa="org-positions" style="margin-top:.25rem">
            {app.preferences.map((p) => (
              <li safe>{tr('parents.app.org_position', { rank: p.rank, name: nameIn(ctx.lang, p), n: p.position ?? '—' })}</li>
            ))}
          </ul>
        </>
      ) : (
        ''
      )}
      <p class="muted" safe>
        {tr('parents.app.as_of', { time: formatDateTimeSeconds(ctx.lang, pos.asOf) })}
      </p>
    </>
  );
}

function StopState(props: { ctx: PageContext; app: CabinetApplication }): JSX.Element {
  const tr = trOf(props.ctx);
  if (props.app.status !== 'queued') return '';
  return props.app.stopListedUntil ? (
    <p class="error" data-qa="stop-list" safe>
      {tr('parents.app.stop', { date: formatDate(props.ctx.lang, props.app.stopListedUntil) })}
    </p>
  ) : (
    <p data-qa="stop-list" safe>
      {tr('parents.app.no_stop')}
    </p>
  );
}

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
    </li>
  );
}

/** `why`: each queued application's "why not me yet?" (explainWait), by application id. */
export function cabinetPage(
  ctx: PageContext,
  o: { parent: CabinetParent; apps: CabinetApplication[]; messages: CabinetMessage[]; nearHead: boolean; notice?: string | null; why?: Map<number, WhyNotYet> },
): string {
  const tr = trOf(ctx);
  const { parent, apps } = o;
  return Layout({
    ctx,
    title: tr('parents.title.cabinet'),
    children: (
      <>
        <CabinetBar ctx={ctx} />
        <Notice text={o.notice} />
        {o.nearHead ? (
          <p class="error" role="alert" data-qa="phone-warning" safe>
            {tr('parents.phone_warning')}
          </p>
        ) : (
          ''
        )}
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
            <p>
              <span safe>{tr('parents.app.status')}</span>: <strong safe>{tr(`parents.app.status.${a.status}`)}</strong>
            </p>
            <p>
              <a href={`/cabinet/applications/${a.id}?lang=${ctx.lang}`} data-qa="app-open" safe>
                {tr('parents.app.open')}
              </a>
            </p>
            <Position ctx={ctx} app={a} />
            <StopState ctx={ctx} app={a} />
            {a.referrals.length ? <ul>{a.referrals.map((r) => <ReferralLine ctx={ctx} r={r} />)}</ul> : ''}
            {a.status === 'queued' ? (
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
      </>
    ),
  });
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

export function referralPage(ctx: PageContext, o: { app: CabinetApplication; r: CabinetReferral; extensionDays: number; error?: string | null; notice?: string | null }): string {
  const tr = trOf(ctx);
  const { r, app } = o;
  const org = r.organisation;
  return Layout({
    ctx,
    title: tr('parents.referral', { number: r.number }),
    children: (
      <>
        <CabinetBar ctx={ctx} back />
        <Notice text={o.notice} />
        <Problem error={o.error} />
        <p>
          <span safe>{tr('parents.app.status')}</span>: <strong data-qa="referral-status" safe>{tr(`parents.referral.status.${r.status}`)}</strong>
        </p>
        <dl class="facts" data-qa="referral-card" style="grid-template-columns:minmax(0,1fr);gap:0 1rem">
          <dt safe>{tr('parents.referral.org')}</dt>
          <dd>
            <a href={`/organisations/${org.id}?lang=${ctx.lang}`} safe>
              {nameIn(ctx.lang, org)}
            </a>
          </dd>
          <dt safe>{tr('parents.referral.address')}</dt>
          <dd safe>{ctx.lang === 'kk' ? org.addressKk : org.addressRu}</dd>
          {org.phone ? (
            <>
              <dt safe>{tr('parents.referral.phone')}</dt>
              <dd safe>{org.phone}</dd>
            </>
          ) : (
            ''
          )}
          <dt safe>{tr('parents.referral.deadline')}</dt>
          <dd safe>{formatDate(ctx.lang, r.deadline)}</dd>
          {r.contract ? (
            <>
              <dt safe>{tr('parents.referral.contract')}</dt>
              <dd safe>
                {r.contract.status === 'pending'
                  ? tr('parents.referral.contract.pending', { date: formatDate(ctx.lang, r.contract.deadline) })
                  : r.contract.status === 'signed'
                    ? tr('parents.referral.contract.signed')
                    : tr('parents.referral.contract.other')}
              </dd>
            </>
          ) : (
            ''
          )}
        </dl>
        {r.status === 'issued' ? (
          <p class="big" data-qa="days-left" safe>
            {tr('parents.referral.days_left', { n: r.workingDaysLeft })}
          </p>
        ) : (
          ''
        )}
        {r.extended ? <p safe>{tr('parents.referral.extended')}</p> : ''}
        <StopState ctx={ctx} app={app} />
        {r.status === 'issued' || r.status === 'registered' ? (
          <>
            <h2 safe>{tr('parents.referral.documents')}</h2>
            <ul data-qa="documents">
              {r.documents.map((d) => (
                <li safe>{tr(`parents.doc.${d}`)}</li>
              ))}
            </ul>
            <p safe>{tr('parents.referral.documents.only')}</p>
          </>
        ) : (
          ''
        )}
        {r.canReturn ? (
          <section aria-labelledby="return-h">
            <h2 id="return-h" safe>
              {tr('parents.return.title')}
            </h2>
            <p safe>{tr('parents.return.intro')}</p>
            <form method="post" action={`/cabinet/referrals/${r.id}/return?lang=${ctx.lang}`} class="stack" data-qa="return-form">
              <Csrf ctx={ctx} />
              <fieldset>
                <label style="font-weight:400">
                  <input type="radio" name="choice" value="stay" required /> <span safe>{tr('parents.return.stay')}</span>
                </label>
                <label style="font-weight:400">
                  <input type="radio" name="choice" value="leave" /> <span safe>{tr('parents.return.leave')}</span>
                </label>
              </fieldset>
              <label style="font-weight:400">
                <input type="checkbox" name="confirm" value="yes" required /> <span safe>{tr('parents.return.confirm')}</span>
              </label>
              <div>
                <button type="submit" data-qa="return-submit" safe>
                  {tr('parents.return.submit')}
                </button>
              </div>
            </form>
          </section>
        ) : (
          ''
        )}
        {r.status === 'issued' && !r.extended ? (
          <section aria-labelledby="extend-h">
            <h2 id="extend-h" safe>
              {tr('parents.extend.title')}
            </h2>
            {r.canExtend ? (
              <>
                <p safe>{tr('parents.extend.intro', { days: o.extensionDays })}</p>
                <form method="post" action={`/cabinet/referrals/${r.id}/extend?lang=${ctx.lang}`} enctype="multipart/form-data" class="stack" data-qa="extend-form">
                  <Csrf ctx={ctx} />
                  <div>
                    <label for="reason" safe>
                      {tr('parents.extend.reason')}
                    </label>
                    <select id="reason" name="reason" required>
                      {EXTENSION_REASONS.map((x) => (
                        <option value={x} safe>
                          {tr(`parents.extend.reason.${x}`)}
                        </option>
                      ))}
                    </select>
                  </div>
                  <div>
                    <label for="note" safe>
                      {tr('parents.extend.note')}
                    </label>
                    <input type="text" id="note" name="note" maxlength="500" />
                  </div>
                  <FileField id="file" label={tr('parents.extend.file')} hint={tr('parents.extend.file.hint')} required />
                  <div>
                    <button type="submit" data-qa="extend-submit" safe>
                      {tr('parents.extend.submit')}
                    </button>
                  </div>
                </form>
              </>
            ) : (
              <p safe>{tr('parents.extend.only_last_day', { date: formatDate(ctx.lang, r.deadline) })}</p>
            )}
          </section>
        ) : (
          ''
        )}
      </>
    ),
  });
}

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

export interface PhoneChangeView {
  id: number;
  slot: number;
  newPhone: string;
  proof: 'old_phone' | 'id_card';
  status: 'awaiting_codes' | 'review' | 'done' | 'rejected' | 'cancelled';
  createdAt: Date;
}

export function phonePage(ctx: PageContext, o: { parent: CabinetParent; changes: PhoneChangeView[]; error?: string | null; notice?: string | null }): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr('parents.phone.title'),
    children: (
      <>
        <CabinetBar ctx={ctx} back />
        <Notice text={o.notice} />
        <Problem error={o.error} />
        <p safe>{tr('parents.phone.intro')}</p>
        <dl class="facts" style="grid-template-columns:minmax(0,1fr);gap:0 1rem">
          <dt safe>{tr('parents.phone1')}</dt>
          <dd safe>{o.parent.phone1}</dd>
          <dt safe>{tr('parents.phone2')}</dt>
          <dd safe>{o.parent.phone2 ?? tr('parents.none')}</dd>
        </dl>
        <form method="post" action={`/cabinet/phone?lang=${ctx.lang}`} enctype="multipart/form-data" class="stack" data-qa="phone-form">
          <Csrf ctx={ctx} />
          <fieldset>
            <legend safe>{tr('parents.phone.slot')}</legend>
            <label style="font-weight:400">
              <input type="radio" name="slot" value="1" checked /> <span safe>{tr('parents.phone.slot1')}</span>
            </label>
            <label style="font-weight:400">
              <input type="radio" name="slot" value="2" /> <span safe>{tr('parents.phone.slot2')}</span>
            </label>
          </fieldset>
          <div>
            <label for="phone">
              {tr('parents.phone.new') as 'safe'}
              <span class="hint" id="phone-hint" safe>
                {tr('parents.phone.new.hint')}
              </span>
            </label>
            <input type="text" id="phone" name="phone" required inputmode="tel" autocomplete="tel" maxlength="20" aria-describedby="phone-hint" />
          </div>
          <fieldset>
            <legend safe>{tr('parents.phone.proof')}</legend>
            <label style="font-weight:400">
              <input type="radio" name="proof" value="old_phone" checked /> <span safe>{tr('parents.phone.proof.old_phone')}</span>
            </label>
            <label style="font-weight:400">
              <input type="radio" name="proof" value="id_card" /> <span safe>{tr('parents.phone.proof.id_card')}</span>
            </label>
          </fieldset>
          <FileField id="file" label={tr('parents.phone.id_card')} />
          <div>
            <button type="submit" data-qa="phone-start" safe>
              {tr('parents.phone.start')}
            </button>
          </div>
        </form>
        {o.changes.length ? (
          <>
            <h2 safe>{tr('parents.phone.history')}</h2>
            <ul data-qa="phone-changes">
              {o.changes.map((c) => (
                <li>
                  <span safe>{`${formatDateTime(ctx.lang, c.createdAt)} · ${c.newPhone} · ${tr(`parents.phone.status.${c.status}`)}`}</span>
                  {c.status === 'awaiting_codes' ? (
                    <>
                      {' ' as 'safe'}
                      <a href={`/cabinet/phone/${c.id}?lang=${ctx.lang}`} safe>
                        {tr('parents.phone.confirm')}
                      </a>
                    </>
                  ) : (
                    ''
                  )}
                </li>
              ))}
            </ul>
          </>
        ) : (
          ''
        )}
      </>
    ),
  });
}

export function phoneConfirmPage(ctx: PageContext, o: { change: PhoneChangeView; error?: string | null }): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr('parents.phone.confirm_title'),
    children: (
      <>
        <CabinetBar ctx={ctx} back />
        <Problem error={o.error} />
        <form method="post" action={`/cabinet/phone/${o.change.id}/confirm?lang=${ctx.lang}`} class="stack" data-qa="phone-confirm">
          <Csrf ctx={ctx} />
          <div>
            <label for="newCode" safe>{`${tr('parents.phone.code_new')} (${o.change.newPhone})`}</label>
            <input type="text" id="newCode" name="newCode" required inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" />
          </div>
          {o.change.proof === 'old_phone' ? (
            <div>
              <label for="oldCode" safe>
                {tr('parents.phone.code_old')}
              </label>
              <input type="text" id="oldCode" name="oldCode" required inputmode="numeric" pattern="[0-9]{6}" maxlength="6" />
            </div>
          ) : (
            ''
          )}
          <div>
            <button type="submit" data-qa="phone-confirm-submit" safe>
              {tr('parents.phone.confirm')}
            </button>
          </div>
        </form>
      </>
    ),
  });
}

export interface ApplyForm {
  childIin?: string;
  lastName?: string;
  firstName?: string;
  middleName?: string;
  birthDate?: string;
  orgKind?: string;
  prefs?: string[];
  language?: string;
  desiredStart?: string;
  privilege?: string;
  specialNeeds?: boolean;
}

const PRIVILEGES = ['military', 'special_state_body', 'disabled_parent', 'orphan', 'large_family', 'special_needs', 'teacher'] as const;

/** The one-time password's field (sign-in and the first application's confirmation). */
export function CodeField(props: { tr: Tr }): JSX.Element {
  const { tr } = props;
  return (
    <div>
      <label for="code">
        {tr('parents.otp.code') as 'safe'}
        <span class="hint" id="code-hint" safe>
          {tr('parents.otp.code.hint')}
        </span>
      </label>
      <input type="text" id="code" name="code" required inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" aria-describedby="code-hint" />
    </div>
  );
}

/** "Send the code again" under the code field (sign-in and the first application's confirmation). */
export function ResendCodeForm(props: { ctx: PageContext; action: string; iin: string; seconds: number }): JSX.Element {
  const tr = trOf(props.ctx);
  return (
    <form method="post" action={props.action} class="stack">
      <Csrf ctx={props.ctx} />
      <input type="hidden" name="iin" value={props.iin} />
      <p class="hint" safe>
        {tr('parents.otp.again.hint', { seconds: props.seconds })}
      </p>
      <div>
        <button type="submit" class="link" safe>
          {tr('parents.otp.again')}
        </button>
      </div>
    </form>
  );
}

/** Demo mode only: where the one-time passwords "sent" can be read (no SMS gateway). */
export function DemoSmsLink(props: { ctx: PageContext }): JSX.Element {
  const { ctx } = props;
  if (ctx.deps.config.mode !== 'demo') return <></>;
  return (
    <p>
      <a href={`/demo/sms?lang=${ctx.lang}`} target="_blank" data-qa="demo-sms-link" safe>
        {trOf(ctx)('parents.demo_sms.title')}
      </a>
    </p>
  );
}

/** A supporting document's file field: PDF, JPEG or PNG; `hint` is tied to the field for screen readers. */
export function FileField(props: { id: string; label: string; hint?: string; required?: boolean }): JSX.Element {
  const hintId = `${props.id}-hint`;
  return (
    <div>
      <label for={props.id}>
        {props.label as 'safe'}
        {props.hint ? (
          <span class="hint" id={hintId} safe>
            {props.hint}
          </span>
        ) : (
          ''
        )}
      </label>
      <input type="file" id={props.id} name={props.id} required={props.required ?? false} accept="application/pdf,image/jpeg,image/png" aria-describedby={props.hint ? hintId : undefined} style="max-width:100%" />
    </div>
  );
}

export function TextField(props: { id: string; label: string; value?: string | undefined; type?: string; required?: boolean; hint?: string; inputmode?: string; maxlength?: string }): JSX.Element {
  return (
    <div>
      <label for={props.id}>
        {props.label as 'safe'}
        {props.hint ? (
          <span class="hint" safe>
            {props.hint}
          </span>
        ) : (
          ''
        )}
      </label>
      <input type={props.type ?? 'text'} id={props.id} name={props.id} value={props.value ?? ''} required={props.required ?? false} inputmode={props.inputmode} maxlength={props.maxlength ?? '100'} style="display:block;width:100%;max-width:28rem;font:inherit;padding:.5rem;border:2px solid #57606a;border-radius:4px" />
    </div>
  );
}

type OrgOption = { id: number; kind: string; nameKk: string; nameRu: string };

/** The preferred organisations' selects, rank 1 required (the application form and its edit). */
function PreferenceSelects(props: { tr: Tr; count: number; organisations: OrgOption[]; chosen: (i: number) => number | undefined; label: (org: OrgOption) => string }): JSX.Element {
  const { tr } = props;
  return (
    <>
      {Array.from({ length: props.count }, (_, i) => (
        <div>
          <label for={`pref${i + 1}`} safe>
            {tr('parents.apply.preference', { n: i + 1 })}
          </label>
          <select id={`pref${i + 1}`} name={`pref${i + 1}`} required={i === 0}>
            <option value="" safe>
              {tr('parents.apply.none')}
            </option>
            {props.organisations.map((org) => (
              <option value={String(org.id)} selected={props.chosen(i) === org.id} safe>
                {props.label(org)}
              </option>
            ))}
          </select>
        </div>
      ))}
    </>
  );
}

/** The application form's fields (the child, the organisations, language, start, privilege, special needs): the cabinet's form and the public first application share them. */
export function ApplyFields(props: { ctx: PageContext; organisations: OrgOption[]; maxPreferences: number; form: ApplyForm }): JSX.Element {
  const { ctx } = props;
  const tr = trOf(ctx);
  const f = props.form;
  const o = props;
  const kindName = (k: string) => tr(k === 'mini_centre' ? 'parents.apply.kind.mini_centre' : 'parents.apply.kind.kindergarten');
  return (
    <>
    <fieldset class="stack">
      <legend safe>{tr('parents.apply.child')}</legend>
      <TextField id="childIin" label={tr('parents.apply.child_iin')} value={f.childIin} required inputmode="numeric" maxlength="15" hint={tr('parents.iin.hint')} />
      <TextField id="lastName" label={tr('parents.apply.last_name')} value={f.lastName} required />
      <TextField id="firstName" label={tr('parents.apply.first_name')} value={f.firstName} required />
      <TextField id="middleName" label={tr('parents.apply.middle_name')} value={f.middleName} />
      <TextField id="birthDate" type="date" label={tr('parents.apply.birth_date')} value={f.birthDate} required />
    </fieldset>
    <fieldset>
      <legend safe>{tr('parents.apply.kind')}</legend>
      {(['kindergarten', 'mini_centre'] as const).map((k) => (
        <label style="font-weight:400">
          <input type="radio" name="orgKind" value={k} checked={(f.orgKind ?? 'kindergarten') === k} /> <span safe>{kindName(k)}</span>
        </label>
      ))}
    </fieldset>
    <fieldset class="stack">
      <legend safe>{tr('parents.apply.preferences', { max: o.maxPreferences })}</legend>
      <PreferenceSelects tr={tr} count={o.maxPreferences} organisations={o.organisations} chosen={(i) => Number(f.prefs?.[i])} label={(org) => `${nameIn(ctx.lang, org)} (${kindName(org.kind)})`} />
    </fieldset>
    <div>
      <label for="language" safe>
        {tr('parents.apply.language')}
      </label>
      <select id="language" name="language">
        {(['kk', 'ru'] as const).map((l) => (
          <option value={l} selected={(f.language ?? ctx.lang) === l} safe>
            {tr(`parents.apply.language.${l}`)}
          </option>
        ))}
      </select>
    </div>
    <TextField id="desiredStart" type="date" label={tr('parents.apply.start')} value={f.desiredStart} required />
    <div>
      <label for="privilege" safe>
        {tr('parents.apply.privilege')}
      </label>
      <select id="privilege" name="privilege" aria-describedby="privilege-note">
        <option value="" safe>
          {tr('parents.apply.privilege.none')}
        </option>
        {PRIVILEGES.map((c) => (
          <option value={c} selected={f.privilege === c} safe>
            {tr(`parents.apply.privilege.${c}`)}
          </option>
        ))}
      </select>
      <span class="hint" id="privilege-note" safe>
        {tr('parents.apply.privilege.note')}
      </span>
    </div>
    <FileField id="privilegeFile" label={tr('parents.apply.privilege_file')} hint={tr('parents.apply.file_hint')} />
    <label style="font-weight:400">
      <input type="checkbox" name="specialNeeds" value="yes" checked={f.specialNeeds ?? false} /> <span safe>{tr('parents.apply.special_needs')}</span>
    </label>
    <FileField id="pmpkFile" label={tr('parents.apply.pmpk_file')} hint={tr('parents.apply.file_hint')} />
    </>
  );
}

export function applyPage(
  ctx: PageContext,
  o: { organisations: { id: number; kind: string; nameKk: string; nameRu: string }[]; maxPreferences: number; form?: ApplyForm; error?: string | null; wayOut?: boolean },
): string {
  const tr = trOf(ctx);
  const f = o.form ?? {};
  return Layout({
    ctx,
    title: tr('parents.apply.title'),
    children: (
      <>
        <CabinetBar ctx={ctx} back />
        <Problem error={o.error} />
        {o.wayOut ? (
          <p class="notice" data-qa="way-out">
            <span safe>{tr('parents.apply.way_out')}</span>{' ' as 'safe'}
            <a href={`/cabinet/handover?lang=${ctx.lang}`} safe>
              {tr('parents.handover.title')}
            </a>
          </p>
        ) : (
          ''
        )}
        <p safe>{tr('parents.apply.intro')}</p>
        <form method="post" action={`/cabinet/apply?lang=${ctx.lang}`} enctype="multipart/form-data" class="stack" data-qa="apply-form">
          <Csrf ctx={ctx} />
          <ApplyFields ctx={ctx} organisations={o.organisations} maxPreferences={o.maxPreferences} form={f} />
          <div>
            <button type="submit" data-qa="apply-submit" safe>
              {tr('parents.apply.submit')}
            </button>
          </div>
        </form>
      </>
    ),
  });
}

export function handoverPage(ctx: PageContext, o: { childIin?: string; error?: string | null; notice?: string | null }): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr('parents.handover.title'),
    children: (
      <>
        <CabinetBar ctx={ctx} back />
        <Notice text={o.notice} />
        <Problem error={o.error} />
        <p safe>{tr('parents.handover.intro')}</p>
        <form method="post" action={`/cabinet/handover?lang=${ctx.lang}`} enctype="multipart/form-data" class="stack" data-qa="handover-form">
          <Csrf ctx={ctx} />
          <TextField id="childIin" label={tr('parents.apply.child_iin')} value={o.childIin} required inputmode="numeric" maxlength="15" />
          <FileField id="file" label={tr('parents.handover.file')} required />
          <div>
            <button type="submit" data-qa="handover-submit" safe>
              {tr('parents.handover.submit')}
            </button>
          </div>
        </form>
      </>
    ),
  });
}

const WITHDRAW = ['parent_request', 'moved_away', 'other_kindergarten', 'other'] as const;

export function applicationPage(
  ctx: PageContext,
  o: { app: CabinetApplication; organisations: { id: number; kind: string; nameKk: string; nameRu: string }[]; maxPreferences: number; error?: string | null; notice?: string | null },
): string {
  const tr = trOf(ctx);
  const { app } = o;
  const sameKind = o.organisations.filter((x) => x.kind === app.orgKind);
  return Layout({
    ctx,
    title: tr('parents.app.title', { name: fullName(app.child), number: app.number }),
    children: (
      <>
        <CabinetBar ctx={ctx} back />
        <Notice text={o.notice} />
        <Problem error={o.error} />
        <p>
          <span safe>{tr('parents.app.status')}</span>: <strong data-qa="app-status" safe>{tr(`parents.app.status.${app.status}`)}</strong>
        </p>
        <p>
          <span safe>{tr('parents.tier')}</span>: <strong safe>{tr(`parents.tier.${app.tier}`)}</strong>
        </p>
        <Position ctx={ctx} app={app} />
        <StopState ctx={ctx} app={app} />
        {app.claims.length ? (
          <>
            <h2 safe>{tr('parents.claims')}</h2>
            <ul data-qa="claims">
              {app.claims.map((c) => (
                <li>
                  <span safe>{`${tr(`parents.apply.privilege.${c.category}`)}: ${tr(`parents.claim.status.${c.status as 'pending'}`)}`}</span>
                  {c.status === 'pending' || c.status === 'confirmed' ? (
                    <form method="post" action={`/cabinet/claims/${c.id}/withdraw?lang=${ctx.lang}`} class="inline">
                      <Csrf ctx={ctx} />
                      {' ' as 'safe'}
                      <button type="submit" class="link" data-qa="claim-withdraw" safe>
                        {tr('parents.claim.withdraw')}
                      </button>
                    </form>
                  ) : (
                    ''
                  )}
                </li>
              ))}
            </ul>
          </>
        ) : (
          ''
        )}
        {app.status === 'queued' ? (
          <>
            <h2 safe>{tr('parents.edit.title')}</h2>
            <p safe>{tr('parents.edit.intro')}</p>
            <form method="post" action={`/cabinet/applications/${app.id}/edit?lang=${ctx.lang}`} class="stack" data-qa="edit-form">
              <Csrf ctx={ctx} />
              <PreferenceSelects tr={tr} count={o.maxPreferences} organisations={sameKind} chosen={(i) => app.preferences[i]?.organisationId} label={(org) => nameIn(ctx.lang, org)} />
              <div>
                <label for="language" safe>
                  {tr('parents.apply.language')}
                </label>
                <select id="language" name="language">
                  {(['kk', 'ru'] as const).map((l) => (
                    <option value={l} selected={app.language === l} safe>
                      {tr(`parents.apply.language.${l}`)}
                    </option>
                  ))}
                </select>
              </div>
              <div>
                <label for="desiredStart" safe>
                  {tr('parents.apply.start')}
                </label>
                <input type="date" id="desiredStart" name="desiredStart" value={app.desiredStart} required style="font:inherit;padding:.5rem" />
              </div>
              <div>
                <button type="submit" data-qa="edit-save" safe>
                  {tr('parents.edit.save')}
                </button>
              </div>
            </form>
            <h2 safe>{tr('parents.withdraw.title')}</h2>
            <p safe>{tr('parents.withdraw.intro')}</p>
            <form method="post" action={`/cabinet/applications/${app.id}/withdraw?lang=${ctx.lang}`} class="stack" data-qa="withdraw-form">
              <Csrf ctx={ctx} />
              <div>
                <label for="reason" safe>
                  {tr('parents.withdraw.reason')}
                </label>
                <select id="reason" name="reason">
                  {WITHDRAW.map((w) => (
                    <option value={w} safe>
                      {tr(`parents.withdraw.reason.${w}`)}
                    </option>
                  ))}
                </select>
              </div>
              <label style="font-weight:400">
                <input type="checkbox" name="confirm" value="yes" required /> <span safe>{tr('parents.withdraw.confirm')}</span>
              </label>
              <div>
                <button type="submit" data-qa="withdraw-submit" safe>
                  {tr('parents.withdraw.submit')}
                </button>
              </div>
            </form>
          </>
        ) : (
          ''
        )}
      </>
    ),
  });
}
