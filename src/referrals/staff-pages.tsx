import { Html } from '@kitajs/html';
import { Layout } from '../web/layout.tsx';
import type { PageContext } from '../web/page-context.ts';
import { Csrf, type Flash, FlashBox, HintedField, PostForm, SelectField, Submit, TextInput } from '../web/forms.tsx';
import { type Column, LinkList, Page, ReasonForm, Section, StackedTable, trOf } from '../web/components.tsx';
import { formatDate, formatDateTime } from '../web/format.ts';
import { Facts } from '../contracts/pages.tsx';
import { hasKey, type MessageKey } from '../web/i18n/index.ts';
import type { IncomingRow, ReferralRecord } from './inbox-service.ts';
import type { DocumentKey } from '../domain/referral.ts';

export type { Flash };

/** A refusal's reason as the reader reads it: its name from the closed list (an older free-text reason as it was), and the note. */
export function refusalText(tr: ReturnType<typeof trOf>, reason: string, note: string | null): string {
  const name = hasKey(`contract.refusal.${reason}`) ? tr(`contract.refusal.${reason}` as MessageKey) : reason;
  return note ? `${name}: ${note}` : name;
}

const esc = (s: string) => Html.escapeHtml(s);
const fullName = (p: { lastName: string; firstName: string; middleName: string | null }) => [p.lastName, p.firstName, p.middleName].filter(Boolean).join(' ');

/** The kindergarten's incoming referrals (issued or registered), soonest deadline first, with a search. */
export function referralsPage(ctx: PageContext, d: { organisationName: string; q: string; rows: IncomingRow[] }): string {
  const tr = trOf(ctx);
  const columns: Column<IncomingRow>[] = [
    {
      label: tr('staff.referrals.number'),
      cell: (r) => (
        <a href={`/staff/referrals/${r.id}?lang=${ctx.lang}`} data-qa="referral-link" safe>
          {r.number}
        </a>
      ),
    },
    { label: tr('staff.referrals.child'), cell: (r) => esc(r.childName) },
    { label: tr('staff.referrals.birth_date'), cell: (r) => esc(formatDate(ctx.lang, r.childBirthDate)) },
    { label: tr('staff.referrals.group'), cell: (r) => esc(r.groupName) },
    {
      label: tr('staff.referrals.status'),
      cell: (r) => esc(tr(`staff.status.${r.status}`) + (r.extended ? ` (${tr('staff.referrals.extended')})` : '') + (r.extraPeriodGranted ? ` (${tr('staff.referral.contract.extra_granted')})` : '')),
    },
    { label: tr('staff.referrals.due'), qa: 'due', cell: (r) => esc(formatDate(ctx.lang, r.due)) },
  ];
  return Page(
    ctx,
    { title: tr('staff.referrals.title'), lead: tr('staff.referrals.intro'), org: d.organisationName },
    <>
      <form method="get" action="/staff/referrals" class="filters" role="search">
        <input type="hidden" name="lang" value={ctx.lang} />
        <HintedField id="q" label={tr('staff.referrals.search')} hint={tr('staff.referrals.search.hint')}>
          <input type="search" id="q" name="q" value={d.q} maxlength="100" aria-describedby="q-hint" />
        </HintedField>
        <div style="flex:0 0 auto">
          <button type="submit" data-qa="search" safe>
            {tr('staff.referrals.search.submit')}
          </button>
        </div>
      </form>
      <StackedTable columns={columns} rows={d.rows} qa="referrals-table" rowQa={() => 'referral-row'} empty={tr('staff.referrals.none')} emptyQa="no-referrals" />
    </>,
  );
}

/** The registration form's state after a refusal: what was ticked, and the documents whose absence the secretary is asked to confirm. */
export interface RegisterForm {
  ticked: readonly string[];
  confirmMissing: readonly DocumentKey[] | null;
}

/** One referral: the child's and parent's record, registration (with documents missing after one confirmation), the contract, printing. */
export function referralPage(ctx: PageContext, r: ReferralRecord, d: Flash & { deadlinePassed: boolean; form?: RegisterForm; extraDays: number }): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  const base = `/staff/referrals/${r.id}`;
  const c = r.contract;
  /** The model contract's version this contract is printed with: the one it was concluded under, else the one in force. */
  const templateVersion = c ? (c.templateVersion ?? r.activeTemplateVersion) : null;
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
        <BirthDateCheck ctx={ctx} r={r} />
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
                    <input type="checkbox" name="documents" value={doc} data-qa={`doc-${doc}`} checked={d.form?.ticked.includes(doc) ?? false} /> {tr(`parents.doc.${doc}`) as 'safe'}
                  </label>
                ))}
              </fieldset>
              {d.form?.confirmMissing ? (
                <div class="notice" role="alert" data-qa="confirm-missing">
                  <p safe>{tr('staff.referral.confirm_missing', { days: d.extraDays })}</p>
                  <ul>
                    {d.form.confirmMissing.map((doc) => (
                      <li safe>{tr(`parents.doc.${doc}`)}</li>
                    ))}
                  </ul>
                  <input type="hidden" name="confirmed_missing" value={d.form.confirmMissing.join(',')} />
                </div>
              ) : (
                ''
              )}
              <div>
                <button type="submit" data-qa={d.form?.confirmMissing ? 'register-missing' : 'register'} safe>
                  {d.form?.confirmMissing ? tr('staff.referral.register_missing') : tr('staff.referral.register')}
                </button>
              </div>
            </form>
          )
        ) : (
          ''
        )}
        {c ? (
          <Section id="contract" title={tr('staff.referral.contract')} qa="contract">
            <Facts
              rows={[
                [tr('staff.referral.status'), tr(`staff.contract.status.${c.status}`), 'contract-status'],
                [
                  tr('staff.referral.contract.deadline'),
                  tr('staff.referral.deadline.value', { date: formatDate(ctx.lang, c.deadline) }) + (c.extraPeriodGranted ? ` (${tr('staff.referral.contract.extra_granted')})` : ''),
                  'contract-deadline',
                ],
                ...(c.signedAt ? ([[tr('staff.referral.contract.signed_at'), formatDateTime(ctx.lang, c.signedAt)]] as [string, string][]) : []),
                ...(templateVersion !== null ? ([[tr('verify.template'), tr('contract_templates.version_n', { version: templateVersion }), 'contract-template']] as [string, string, string][]) : []),
                ...(c.refusedReason ? ([[tr('staff.referral.contract.reason'), refusalText(tr, c.refusedReason, c.refusedNote)]] as [string, string][]) : []),
              ]}
            />
            {c.status === 'pending' && r.missingDocuments.length > 0 ? (
              <div data-qa="missing-documents">
                <h3 safe>{tr('staff.referral.missing', { date: formatDate(ctx.lang, c.deadline) })}</h3>
                <form method="post" action={`${base}/documents${q}`} class="stack" data-qa="bring-form">
                  <Csrf ctx={ctx} />
                  <fieldset>
                    <legend safe>{tr('staff.referral.missing.hint')}</legend>
                    {r.missingDocuments.map((doc) => (
                      <label style="font-weight:400;display:flex;gap:.5rem;align-items:flex-start;margin:.4rem 0">
                        <input type="checkbox" name="documents" value={doc} data-qa={`bring-${doc}`} /> {tr(`parents.doc.${doc}`) as 'safe'}
                      </label>
                    ))}
                  </fieldset>
                  <Submit label={tr('staff.referral.bring')} qa="bring" />
                </form>
              </div>
            ) : (
              ''
            )}
            {c.status === 'pending' ? (
              <div style="display:grid;gap:1rem;max-width:28rem">
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
                <PostForm ctx={ctx} action={`${base}/refuse${q}`} qa="refuse-form">
                  <SelectField id="reason" name="reason" label={tr('staff.referral.contract.reason')} required qa="refuse-reason" options={r.refusalReasons.map((x) => [x, tr(`contract.refusal.${x}`)] as const)} />
                  <TextInput id="note" name="note" label={tr('staff.referral.contract.note')} maxlength="1000" />
                  <div>
                    <button type="submit" style="background:#c62828" data-qa="refuse" safe>
                      {tr('staff.referral.contract.refuse')}
                    </button>
                  </div>
                </PostForm>
              </div>
            ) : (
              ''
            )}
          </Section>
        ) : (
          ''
        )}
        <Section id="print" title={tr('staff.referral.print')}>
          <LinkList
            links={[
              { href: `${base}/print${q}`, qa: 'print-referral', text: tr('staff.referral.print.referral') },
              ...(c
                ? [
                    { href: `${base}/contract${q}`, qa: 'print-contract', text: tr('staff.referral.print.contract') },
                    { href: `${base}/contract.pdf?doc=kk`, qa: 'contract-pdf', text: tr('staff.referral.print.contract_pdf') },
                    { href: `${base}/contract.pdf?doc=ru`, text: tr('staff.referral.print.contract_pdf_ru') },
                  ]
                : []),
            ]}
          />
        </Section>
        {c?.status === 'pending' && r.missingDocuments.length === 0 ? (
          // enrolment last, below the contract to print and sign, with an explicit confirmation;
          // not offered while documents recorded missing at registration are still to be brought
          <Section id="enrol" title={tr('enrol.title')} qa="enrol">
            <form method="post" action={`${base}/conclude${q}`} class="stack" data-qa="conclude-form">
              <Csrf ctx={ctx} />
              {templateVersion !== null ? <input type="hidden" name="template_version" value={String(templateVersion)} /> : ''}
              <p class="hint" safe>
                {tr('enrol.hint')}
              </p>
              <label style="font-weight:400;display:flex;gap:.5rem;align-items:flex-start">
                <input type="checkbox" name="confirm" value="yes" required data-qa="conclude-confirm" /> <span safe>{tr('enrol.confirm')}</span>
              </label>
              <Submit label={tr('staff.referral.contract.conclude')} qa="conclude" />
            </form>
          </Section>
        ) : (
          ''
        )}
      </>
    ),
  });
}

/** The birth date the applicant confirmed against the child's IIN: check the birth certificate; staff clear the flag with a reason. */
function BirthDateCheck(props: { ctx: PageContext; r: ReferralRecord }): JSX.Element {
  const { ctx, r } = props;
  const tr = trOf(ctx);
  const check = r.birthDateCheck;
  if (!check) return <></>;
  if (check.clearedAt)
    return (
      <p class="notice" data-qa="birth-date-check" safe>
        {`${tr('birth_check.flag', { typed: r.child.birthDate, iin: check.iinDate })} ${tr('birth_check.cleared', { at: formatDateTime(ctx.lang, check.clearedAt), reason: check.clearedReason ?? '' })}`}
      </p>
    );
  return (
    <section aria-labelledby="birth-check-h" class="error" data-qa="birth-date-check">
      <h2 id="birth-check-h" style="margin-top:0" safe>
        {tr('birth_check.title')}
      </h2>
      <p data-qa="birth-date-flag" safe>
        {tr('birth_check.flag', { typed: r.child.birthDate, iin: check.iinDate })}
      </p>
      <ReasonForm ctx={ctx} action={`/staff/referrals/${r.id}/birth-date-check?lang=${ctx.lang}`} button={tr('birth_check.clear')} qa="birth-date-clear" id="birth-date-reason" hint={tr('birth_check.clear.hint')} />
    </section>
  );
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
