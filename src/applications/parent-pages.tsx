// The parent's application pages: the application form and one application (queue numbers, stop-list,
// claims, edit, withdraw). Position and StopState are also the cabinet's and the referral page's.
import type { PageContext } from '../web/page-context.ts';
import { Csrf, SelectField, Submit } from '../web/forms.tsx';
import { nameIn } from '../web/queries.ts';
import { trOf } from '../web/components.tsx';
import { formatDate, formatDateTimeSeconds } from '../web/format.ts';
import { CabinetPage } from '../web/parent-fields.tsx';
import { fullName } from '../domain/names.ts';
import type { CabinetApplication } from '../workspaces/cabinet/loaders.ts';
import { NextActionBox, stateKey, type NextActionDays } from '../workspaces/cabinet/next-action.tsx';
import { ApplyFields, LanguageSelect, PreferenceSelects, type ApplyForm, type FormProblems } from './apply-fields.tsx';

export function Position(props: { ctx: PageContext; app: CabinetApplication }): JSX.Element {
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

export function StopState(props: { ctx: PageContext; app: CabinetApplication }): JSX.Element {
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

export function applyPage(
  ctx: PageContext,
  o: { organisations: { id: number; kind: string; nameKk: string; nameRu: string }[]; maxPreferences: number; form?: ApplyForm; error?: string | null; wayOut?: boolean; problems?: FormProblems | null },
): string {
  const tr = trOf(ctx);
  const f = o.form ?? {};
  const problems = o.problems ?? undefined;
  return CabinetPage(
    ctx,
    { title: tr('parents.apply.title'), error: o.error },
    <>
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
      {/* novalidate: the server names every refused field at once, beside it (a browser stops at the first) */}
      <form method="post" action={`/cabinet/apply?lang=${ctx.lang}`} enctype="multipart/form-data" class="stack" data-qa="apply-form" novalidate>
        <Csrf ctx={ctx} />
        <ApplyFields ctx={ctx} organisations={o.organisations} maxPreferences={o.maxPreferences} form={f} problems={problems} />
        <Submit label={tr('parents.apply.submit')} qa="apply-submit" />
      </form>
    </>,
  );
}

const WITHDRAW = ['parent_request', 'moved_away', 'other_kindergarten', 'other'] as const;

export function applicationPage(
  ctx: PageContext,
  o: { app: CabinetApplication; organisations: { id: number; kind: string; nameKk: string; nameRu: string }[]; maxPreferences: number; days: NextActionDays; error?: string | null; notice?: string | null },
): string {
  const tr = trOf(ctx);
  const { app } = o;
  const sameKind = o.organisations.filter((x) => x.kind === app.orgKind);
  return CabinetPage(
    ctx,
    { title: tr('parents.app.title', { name: fullName(app.child), number: app.number }), notice: o.notice, error: o.error },
    <>
      <NextActionBox ctx={ctx} app={app} days={o.days} />
      <p>
        <span safe>{tr('parents.app.status')}</span>: <strong data-qa="app-status" safe>{tr(stateKey(app))}</strong>
      </p>
      <p>
        <span safe>{tr('parents.tier')}</span>: <strong safe>{tr(`parents.tier.${app.tier}`)}</strong>
      </p>
      {app.next.kind === 'wait' ? (
        <>
          <Position ctx={ctx} app={app} />
          <StopState ctx={ctx} app={app} />
        </>
      ) : (
        ''
      )}
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
            <LanguageSelect tr={tr} selected={app.language} />
            <div>
              <label for="desiredStart" safe>
                {tr('parents.apply.start')}
              </label>
              <input type="date" id="desiredStart" name="desiredStart" value={app.desiredStart} required style="font:inherit;padding:.5rem" />
            </div>
            <Submit label={tr('parents.edit.save')} qa="edit-save" />
          </form>
          <h2 safe>{tr('parents.withdraw.title')}</h2>
          <p safe>{tr('parents.withdraw.intro')}</p>
          <form method="post" action={`/cabinet/applications/${app.id}/withdraw?lang=${ctx.lang}`} class="stack" data-qa="withdraw-form">
            <Csrf ctx={ctx} />
            <SelectField id="reason" name="reason" label={tr('parents.withdraw.reason')} options={WITHDRAW.map((w) => [w, tr(`parents.withdraw.reason.${w}`)] as const)} />
            <label style="font-weight:400">
              <input type="checkbox" name="confirm" value="yes" required /> <span safe>{tr('parents.withdraw.confirm')}</span>
            </label>
            <Submit label={tr('parents.withdraw.submit')} qa="withdraw-submit" />
          </form>
        </>
      ) : (
        ''
      )}
    </>,
  );
}
