// The parent's referral page: the card (organisation, deadline, working days left, documents), the
// return and the extension request.
import { Layout, type PageContext } from '../web/layout.tsx';
import { Csrf } from '../web/forms.tsx';
import { nameIn } from '../web/queries.ts';
import { trOf } from '../web/components.tsx';
import { formatDate } from '../web/format.ts';
import { CabinetBar, FileField, Notice, Problem } from '../web/parent-fields.tsx';
import { StopState } from '../applications/parent-pages.tsx';
import type { CabinetApplication, CabinetReferral } from '../workspaces/cabinet/loaders.ts';
import { EXTENSION_REASONS } from '../domain/referral.ts';
import { refusalText } from './staff-pages.tsx';

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
