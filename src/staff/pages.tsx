import { t, type MessageKey } from '../web/i18n/index.ts';
import { Layout, type PageContext } from '../web/layout.tsx';
import { Csrf, FlashBox, type Flash } from '../web/forms.tsx';
import { nameIn } from '../web/queries.ts';

export type { Flash };
import { formatDate, formatDateTime } from '../web/format.ts';
import type { GroupRow, IncomingRow, ReferralRecord, VerifiedDocument } from './service.ts';
import { contractNumber } from './service.ts';
import type { DocumentKind } from '../contracts/verify.ts';

type Tr = (k: MessageKey, p?: Record<string, string | number>) => string;
const trOf = (ctx: PageContext): Tr => (k, p) => t(ctx.lang, k, p);
const fullName = (p: { lastName: string; firstName: string; middleName: string | null }) => [p.lastName, p.firstName, p.middleName].filter(Boolean).join(' ');

export function groupsPage(ctx: PageContext, d: { organisationName: string; groups: GroupRow[] } & Flash): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  return Layout({
    ctx,
    title: tr('staff.groups.title'),
    children: (
      <>
        <FlashBox error={d.error} notice={d.notice} />
        <p class="muted" safe>
          {d.organisationName}
        </p>
        <p safe>{tr('staff.groups.intro')}</p>
        {d.groups.length === 0 ? (
          <p safe>{tr('staff.groups.none')}</p>
        ) : (
          <div class="table-wrap">
            <table class="stacked" data-qa="groups-table">
              <thead>
                <tr>
                  <th safe>{tr('staff.groups.name')}</th>
                  <th safe>{tr('staff.groups.birth_year')}</th>
                  <th safe>{tr('staff.groups.language')}</th>
                  <th safe>{tr('staff.groups.type')}</th>
                  <th safe>{tr('staff.groups.capacity')}</th>
                  <th safe>{tr('staff.groups.enrolled')}</th>
                  <th safe>{tr('staff.groups.outstanding')}</th>
                  <th safe>{tr('staff.groups.open')}</th>
                  <th safe>{tr('staff.groups.publishable')}</th>
                  <th safe>{tr('staff.groups.count')}</th>
                </tr>
              </thead>
              <tbody>
                {d.groups.map((g) => (
                  <tr data-qa={`group-${g.id}`}>
                    <td data-label={tr('staff.groups.name')} safe>
                      {g.name}
                    </td>
                    <td data-label={tr('staff.groups.birth_year')} safe>{String(g.birthYear)}</td>
                    <td data-label={tr('staff.groups.language')} safe>
                      {tr(`staff.lang.${g.language}`)}
                    </td>
                    <td data-label={tr('staff.groups.type')} safe>
                      {tr(`staff.group.type.${g.type}`)}
                    </td>
                    <td data-label={tr('staff.groups.capacity')} safe>{String(g.capacity)}</td>
                    <td data-label={tr('staff.groups.enrolled')} safe>{String(g.enrolled)}</td>
                    <td data-label={tr('staff.groups.outstanding')} safe>{String(g.outstanding)}</td>
                    <td data-label={tr('staff.groups.open')} data-qa="open" safe>
                      {String(g.open)}
                    </td>
                    <td data-label={tr('staff.groups.publishable')} data-qa="publishable" safe>
                      {String(g.publishable)}
                    </td>
                    <td data-label={tr('staff.groups.count')}>
                      <form method="post" action={`/staff/groups/${g.id}/places${q}`} style="display:flex;flex-wrap:wrap;gap:.25rem;align-items:center">
                        <Csrf ctx={ctx} />
                        <input type="number" aria-label={tr('staff.groups.count')} id={`count-${g.id}`} name="count" min="1" max="60" value="1" required style="width:5rem" />
                        <button type="submit" name="action" value="publish" data-qa="publish" safe>
                          {tr('staff.groups.publish')}
                        </button>{' '}
                        <button type="submit" name="action" value="withdraw" style="background:#57606a" data-qa="withdraw" safe>
                          {tr('staff.groups.withdraw')}
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </>
    ),
  });
}

export function referralsPage(ctx: PageContext, d: { organisationName: string; q: string; rows: IncomingRow[] }): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr('staff.referrals.title'),
    children: (
      <>
        <p class="muted" safe>
          {d.organisationName}
        </p>
        <p safe>{tr('staff.referrals.intro')}</p>
        <form method="get" action="/staff/referrals" class="filters" role="search">
          <input type="hidden" name="lang" value={ctx.lang} />
          <div>
            <label for="q">
              {tr('staff.referrals.search') as 'safe'}
              <span class="hint" safe>
                {tr('staff.referrals.search.hint')}
              </span>
            </label>
            <input type="search" id="q" name="q" value={d.q} maxlength="100" />
          </div>
          <div style="flex:0 0 auto">
            <button type="submit" data-qa="search" safe>
              {tr('staff.referrals.search.submit')}
            </button>
          </div>
        </form>
        {d.rows.length === 0 ? (
          <p data-qa="no-referrals" safe>
            {tr('staff.referrals.none')}
          </p>
        ) : (
          <div class="table-wrap">
            <table class="stacked" data-qa="referrals-table">
              <thead>
                <tr>
                  <th safe>{tr('staff.referrals.number')}</th>
                  <th safe>{tr('staff.referrals.child')}</th>
                  <th safe>{tr('staff.referrals.birth_date')}</th>
                  <th safe>{tr('staff.referrals.group')}</th>
                  <th safe>{tr('staff.referrals.status')}</th>
                  <th safe>{tr('staff.referrals.due')}</th>
                </tr>
              </thead>
              <tbody>
                {d.rows.map((r) => (
                  <tr data-qa="referral-row">
                    <td data-label={tr('staff.referrals.number')}>
                      <a href={`/staff/referrals/${r.id}?lang=${ctx.lang}`} data-qa="referral-link" safe>
                        {r.number}
                      </a>
                    </td>
                    <td data-label={tr('staff.referrals.child')} safe>
                      {r.childName}
                    </td>
                    <td data-label={tr('staff.referrals.birth_date')} safe>
                      {formatDate(ctx.lang, r.childBirthDate)}
                    </td>
                    <td data-label={tr('staff.referrals.group')} safe>
                      {r.groupName}
                    </td>
                    <td data-label={tr('staff.referrals.status')} safe>
                      {tr(`staff.status.${r.status}`) + (r.extended ? ` (${tr('staff.referrals.extended')})` : '') + (r.extraPeriodGranted ? ` (${tr('staff.referral.contract.extra_granted')})` : '')}
                    </td>
                    <td data-label={tr('staff.referrals.due')} data-qa="due" safe>
                      {formatDate(ctx.lang, r.due)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </>
    ),
  });
}

function Facts(props: { rows: [string, string, string?][] }): JSX.Element {
  return (
    <dl style="margin:0 0 1rem">
      {props.rows.map(([k, v, qa]) => (
        <div style="display:flex;flex-wrap:wrap;gap:0 1rem;padding:.15rem 0">
          <dt style="flex:0 0 15rem;font-weight:600" safe>
            {k}
          </dt>
          <dd style="flex:1 1 12rem;margin:0" data-qa={qa} safe>
            {v}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function referralPage(ctx: PageContext, r: ReferralRecord, d: Flash & { deadlinePassed: boolean }): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  const base = `/staff/referrals/${r.id}`;
  const c = r.contract;
  return Layout({
    ctx,
    title: tr('staff.referral.title', { number: r.number }),
    children: (
      <>
        <p>
          <a href={`/staff/referrals${q}`} safe>
            {tr('staff.referral.back')}
          </a>
        </p>
        <FlashBox error={d.error} notice={d.notice} />
        <Facts
          rows={[
            [tr('staff.referral.status'), tr(`staff.status.${r.status}`) + (r.extended ? ` (${tr('staff.referrals.extended')})` : ''), 'status'],
            [tr('staff.referral.issued'), formatDateTime(ctx.lang, r.issuedAt)],
            [tr('staff.referral.deadline'), tr('staff.referral.deadline.value', { date: formatDate(ctx.lang, r.deadline) }), 'deadline'],
            [tr('staff.referral.application'), r.applicationNumber],
            [
              tr('staff.referral.group'),
              tr('staff.referral.group.value', { name: r.group.name, year: String(r.group.birthYear), language: tr(`staff.lang.${r.group.language}`), type: tr(`staff.group.type.${r.group.type}`) }),
            ],
            [tr('staff.referral.child'), fullName(r.child), 'child'],
            [tr('staff.referral.child_iin'), r.child.iin],
            [tr('staff.referral.birth_date'), formatDate(ctx.lang, r.child.birthDate)],
            [tr('staff.referral.parent'), fullName(r.parent)],
            [tr('staff.referral.parent_iin'), r.parent.iin],
            [tr('staff.referral.phone'), [r.parent.phone1, r.parent.phone2].filter(Boolean).join(', ')],
            ...(r.specialNeeds ? ([[tr('staff.referral.special_needs'), tr('staff.referral.yes')]] as [string, string][]) : []),
          ]}
        />
        {r.status === 'issued' ? (
          d.deadlinePassed ? (
            <p class="error" data-qa="deadline-passed" safe>
              {tr('staff.referral.deadline_passed')}
            </p>
          ) : (
            <form method="post" action={`${base}/register${q}`} class="stack" data-qa="register-form">
              <Csrf ctx={ctx} />
              <fieldset>
                <legend safe>{tr('staff.referral.checklist')}</legend>
                <p class="hint" safe>
                  {tr('staff.referral.checklist.hint')}
                </p>
                {r.requiredDocuments.map((doc) => (
                  <label style="font-weight:400;display:flex;gap:.5rem;align-items:flex-start;margin:.4rem 0">
                    <input type="checkbox" name="documents" value={doc} data-qa={`doc-${doc}`} /> {tr(`parents.doc.${doc}`) as 'safe'}
                  </label>
                ))}
              </fieldset>
              <div>
                <button type="submit" data-qa="register" safe>
                  {tr('staff.referral.register')}
                </button>
              </div>
            </form>
          )
        ) : (
          ''
        )}
        {c ? (
          <section aria-labelledby="contract-h" data-qa="contract">
            <h2 id="contract-h" safe>
              {tr('staff.referral.contract')}
            </h2>
            <Facts
              rows={[
                [tr('staff.referral.status'), tr(`staff.contract.status.${c.status}`), 'contract-status'],
                [
                  tr('staff.referral.contract.deadline'),
                  tr('staff.referral.deadline.value', { date: formatDate(ctx.lang, c.deadline) }) + (c.extraPeriodGranted ? ` (${tr('staff.referral.contract.extra_granted')})` : ''),
                  'contract-deadline',
                ],
                ...(c.signedAt ? ([[tr('staff.referral.contract.signed_at'), formatDateTime(ctx.lang, c.signedAt)]] as [string, string][]) : []),
                ...(c.refusedReason ? ([[tr('staff.referral.contract.reason'), c.refusedReason]] as [string, string][]) : []),
              ]}
            />
            {c.status === 'pending' ? (
              <div style="display:grid;gap:1rem;max-width:28rem">
                <form method="post" action={`${base}/conclude${q}`}>
                  <Csrf ctx={ctx} />
                  <button type="submit" data-qa="conclude" safe>
                    {tr('staff.referral.contract.conclude')}
                  </button>
                </form>
                {!c.extraPeriodGranted ? (
                  <form method="post" action={`${base}/extra-period${q}`}>
                    <Csrf ctx={ctx} />
                    <p class="hint" safe>
                      {tr('staff.referral.contract.extra.hint')}
                    </p>
                    <button type="submit" style="background:#57606a" data-qa="extra-period" safe>
                      {tr('staff.referral.contract.extra')}
                    </button>
                  </form>
                ) : (
                  ''
                )}
                <form method="post" action={`${base}/refuse${q}`} class="stack">
                  <Csrf ctx={ctx} />
                  <div>
                    <label for="reason" safe>
                      {tr('staff.referral.contract.reason')}
                    </label>
                    <input type="text" id="reason" name="reason" required maxlength="1000" />
                  </div>
                  <div>
                    <button type="submit" style="background:#c62828" data-qa="refuse" safe>
                      {tr('staff.referral.contract.refuse')}
                    </button>
                  </div>
                </form>
              </div>
            ) : (
              ''
            )}
          </section>
        ) : (
          ''
        )}
        <section aria-labelledby="print-h">
          <h2 id="print-h" safe>
            {tr('staff.referral.print')}
          </h2>
          <ul>
            <li>
              <a href={`${base}/print${q}`} data-qa="print-referral" safe>
                {tr('staff.referral.print.referral')}
              </a>
            </li>
            {c ? (
              <>
                <li>
                  <a href={`${base}/contract${q}`} data-qa="print-contract" safe>
                    {tr('staff.referral.print.contract')}
                  </a>
                </li>
                <li>
                  <a href={`${base}/contract.pdf?doc=kk`} data-qa="contract-pdf" safe>
                    {tr('staff.referral.print.contract_pdf')}
                  </a>
                </li>
                <li>
                  <a href={`${base}/contract.pdf?doc=ru`} safe>
                    {tr('staff.referral.print.contract_pdf_ru')}
                  </a>
                </li>
              </>
            ) : (
              ''
            )}
          </ul>
        </section>
      </>
    ),
  });
}

/** A printable sheet: the document's text, the QR code (an SVG made on the server) and the link. */
export function printPage(
  ctx: PageContext,
  d: { title: string; organisation: string; paragraphs: string[]; qrSvg: string; verifyUrl: string; footer?: string; signatures?: { parties: [string, string]; label: string } },
): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: d.title,
    children: (
      <article class="print-sheet" data-qa="print-sheet">
        <p class="muted" safe>
          {`${tr('staff.print.organisation')}: ${d.organisation}`}
        </p>
        {d.paragraphs.map((p) => (
          <p safe>{p}</p>
        ))}
        {d.signatures ? (
          <div style="display:flex;flex-wrap:wrap;gap:1rem 3rem;margin-top:1.5rem" data-qa="signatures">
            {d.signatures.parties.map((party) => (
              <p style="flex:1 1 12rem;margin:0">
                <strong safe>{party}</strong>
                <br />
                <span safe>{`${d.signatures!.label}: ____________________`}</span>
              </p>
            ))}
          </div>
        ) : (
          ''
        )}
        <div class="qr-row" style="display:flex;flex-wrap:wrap;gap:1rem;align-items:center;margin-top:1.5rem">
          <div style="width:9rem;height:9rem" data-qa="qr" aria-hidden="true">
            {d.qrSvg as 'safe'}
          </div>
          <p style="flex:1 1 14rem">
            <span safe>{tr('staff.print.verify')}</span>
            <br />
            <a href={d.verifyUrl} data-qa="verify-link" safe>
              {d.verifyUrl}
            </a>
          </p>
        </div>
        {d.footer ? (
          <p class="muted" safe>
            {d.footer}
          </p>
        ) : (
          ''
        )}
        <p class="no-print">
          <button type="button" onclick="window.print()" safe>
            {tr('staff.print.button')}
          </button>
        </p>
      </article>
    ),
  });
}

export function verifyPage(ctx: PageContext, kind: DocumentKind, v: VerifiedDocument | null): string {
  const tr = trOf(ctx);
  const rows: [string, string][] = [];
  if (v) {
    rows.push([tr('verify.number'), v.number]);
    rows.push([tr('verify.organisation'), nameIn(ctx.lang, v.organisation)]);
    rows.push([tr('verify.issued'), formatDateTime(ctx.lang, v.issuedAt)]);
    rows.push([tr('verify.status'), kind === 'contract' && v.contractStatus ? tr(`staff.contract.status.${v.contractStatus}`) : tr(`staff.status.${v.referralStatus}`)]);
    if (kind === 'contract' && v.signedAt) rows.push([tr('verify.signed'), formatDateTime(ctx.lang, v.signedAt)]);
    if (kind === 'contract' && v.templateVersion) rows.push([tr('verify.template'), v.templateVersion]);
  }
  return Layout({
    ctx,
    title: tr(kind === 'contract' ? 'verify.title.contract' : 'verify.title.referral'),
    children: (
      <>
        {v ? (
          <p class={v.current ? 'notice big-notice' : 'error'} role="status" data-qa="verify-result" safe>
            {tr(v.current ? 'verify.genuine_current' : 'verify.genuine_not_current')}
          </p>
        ) : (
          <p class="error" role="status" data-qa="verify-result" safe>
            {tr('verify.not_found')}
          </p>
        )}
        {v ? <Facts rows={rows} /> : ''}
        <p class="muted" safe>
          {tr('verify.privacy')}
        </p>
      </>
    ),
  });
}

export { contractNumber };
