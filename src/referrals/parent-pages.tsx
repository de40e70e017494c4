// The parent's referral page: the card (organisation, deadline, working days left, documents), the
// return and the extension request.
import type { PageContext } from '../web/page-context.ts';
import { PostForm, Radios, SelectField, TextInput } from '../web/forms.tsx';
import { nameIn } from '../web/queries.ts';
import { Section, trOf } from '../web/components.tsx';
import { formatDate } from '../web/format.ts';
import { CabinetPage, FileField } from '../web/parent-fields.tsx';
import { StopState } from '../applications/parent-pages.tsx';
import type { CabinetApplication, CabinetReferral } from '../workspaces/cabinet/loaders.ts';
import { EXTENSION_REASONS } from '../domain/referral.ts';
import { refusalText } from './staff-pages.tsx';

export function referralPage(ctx: PageContext, o: { app: CabinetApplication; r: CabinetReferral; extensionDays: number; error?: string | null; notice?: string | null }): string {
  const tr = trOf(ctx);
  const { r, app } = o;
  const org = r.organisation;
  return CabinetPage(
    ctx,
    { title: tr('parents.referral', { number: r.number }), notice: o.notice, error: o.error },
    <>
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
              {r.refusal ? (
                <>
                  <dt safe>{tr('parents.referral.refused')}</dt>
                  <dd data-qa="refusal-reason" safe>
                    {refusalText(tr, r.refusal.reason, r.refusal.note)}
                  </dd>
                </>
              ) : (
                ''
              )}
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
        {r.status === 'registered' && r.contract?.status === 'pending' && r.missingDocuments.length > 0 ? (
          <section class="notice" aria-labelledby="bring-h" data-qa="bring-documents">
            <h2 id="bring-h" safe>
              {tr('parents.referral.bring', { date: formatDate(ctx.lang, r.contract.deadline) })}
            </h2>
            <ul>
              {r.missingDocuments.map((d) => (
                <li safe>{tr(`parents.doc.${d}`)}</li>
              ))}
            </ul>
            <p safe>{tr('parents.referral.bring.why')}</p>
          </section>
        ) : (
          ''
        )}
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
          <Section id="return" title={tr('parents.return.title')}>
            <p safe>{tr('parents.return.intro')}</p>
            <PostForm ctx={ctx} action={`/cabinet/referrals/${r.id}/return?lang=${ctx.lang}`} qa="return-form" submit={{ label: tr('parents.return.submit'), qa: 'return-submit' }}>
              <Radios
                name="choice"
                options={[
                  ['stay', tr('parents.return.stay')],
                  ['leave', tr('parents.return.leave')],
                ]}
                required
              />
              <label style="font-weight:400">
                <input type="checkbox" name="confirm" value="yes" required /> <span safe>{tr('parents.return.confirm')}</span>
              </label>
            </PostForm>
          </Section>
        ) : (
          ''
        )}
        {r.status === 'issued' && !r.extended ? (
          <Section id="extend" title={tr('parents.extend.title')}>
            {r.canExtend ? (
              <>
                <p safe>{tr('parents.extend.intro', { days: o.extensionDays })}</p>
                <PostForm ctx={ctx} action={`/cabinet/referrals/${r.id}/extend?lang=${ctx.lang}`} multipart qa="extend-form" submit={{ label: tr('parents.extend.submit'), qa: 'extend-submit' }}>
                  <SelectField id="reason" name="reason" label={tr('parents.extend.reason')} required options={EXTENSION_REASONS.map((x) => [x, tr(`parents.extend.reason.${x}`)] as const)} />
                  <TextInput id="note" name="note" label={tr('parents.extend.note')} maxlength="500" />
                  <FileField id="file" label={tr('parents.extend.file')} hint={tr('parents.extend.file.hint')} required />
                </PostForm>
              </>
            ) : (
              <p safe>{tr('parents.extend.only_last_day', { date: formatDate(ctx.lang, r.deadline) })}</p>
            )}
          </Section>
        ) : (
          ''
        )}
    </>,
  );
}
