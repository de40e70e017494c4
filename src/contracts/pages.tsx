import { Layout } from '../web/layout.tsx';
import type { PageContext } from '../web/page-context.ts';
import { nameIn } from '../web/queries.ts';
import { trOf } from '../web/components.tsx';
import { formatDateTime } from '../web/format.ts';
import type { VerifiedDocument } from './service.ts';
import type { DocumentKind } from './verify.ts';

/** Label and value rows (the optional third item is the value's data-qa). */
export function Facts(props: { rows: [string, string, string?][] }): JSX.Element {
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

/** The public check of a printed referral or contract: genuine or not, in force or not; no names. */
export function verifyPage(ctx: PageContext, kind: DocumentKind, v: VerifiedDocument | null): string {
  const tr = trOf(ctx);
  const rows: [string, string][] = [];
  if (v) {
    rows.push([tr('verify.number'), v.number]);
    rows.push([tr('verify.organisation'), nameIn(ctx.lang, v.organisation)]);
    rows.push([tr('verify.issued'), formatDateTime(ctx.lang, v.issuedAt)]);
    rows.push([tr('verify.status'), kind === 'contract' && v.contractStatus ? tr(`staff.contract.status.${v.contractStatus}`) : tr(`staff.status.${v.referralStatus}`)]);
    if (kind === 'contract' && v.signedAt) rows.push([tr('verify.signed'), formatDateTime(ctx.lang, v.signedAt)]);
    if (kind === 'contract' && v.templateVersion !== null) rows.push([tr('verify.template'), tr('contract_templates.version_n', { version: v.templateVersion })]);
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
