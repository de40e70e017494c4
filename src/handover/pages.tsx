// Hand-over requests: the parent's request (the child's IIN and a document) and the department's
// review (the requester, the application and who holds it now, the document).
import type { PageContext } from '../web/page-context.ts';
import { PostForm, type Flash } from '../web/forms.tsx';
import { DecisionForm, trOf } from '../web/components.tsx';
import { formatDateTime } from '../web/format.ts';
import { CabinetPage, FileField, TextField } from '../web/parent-fields.tsx';
import { FACTS_STYLE, Person, ReviewPage, reviewLabels } from '../web/review-parts.tsx';
import { Document } from '../uploads/document-view.tsx';
import type { HandoverReview } from './service.ts';

export function handoverPage(ctx: PageContext, o: { childIin?: string; error?: string | null; notice?: string | null }): string {
  const tr = trOf(ctx);
  return CabinetPage(
    ctx,
    { title: tr('parents.handover.title'), notice: o.notice, error: o.error },
    <>
      <p safe>{tr('parents.handover.intro')}</p>
      <PostForm ctx={ctx} action={`/cabinet/handover?lang=${ctx.lang}`} multipart qa="handover-form" submit={{ label: tr('parents.handover.submit'), qa: 'handover-submit' }}>
        <TextField id="childIin" label={tr('parents.apply.child_iin')} value={o.childIin} required inputmode="numeric" maxlength="15" />
        <FileField id="file" label={tr('parents.handover.file')} required />
      </PostForm>
    </>,
  );
}

export function handoverReviewsPage(ctx: PageContext, d: { items: HandoverReview[] } & Flash): string {
  const tr = trOf(ctx);
  return ReviewPage(ctx, { title: tr('review.handovers.title'), lead: tr('review.handovers.intro'), none: tr('review.handovers.none'), flash: d }, d.items, {
    qa: 'handover',
    idPrefix: 'ho',
    heading: (h) => tr('review.phones.item', { id: h.id, date: formatDateTime(ctx.lang, h.createdAt) }),
    body: (h) => (
      <>
        <h3 safe>{tr('review.handovers.requester')}</h3>
        <dl class="facts" style={FACTS_STYLE}>
          <Person tr={tr} p={h.requester} />
        </dl>
        <h3 safe>{tr('review.handovers.application')}</h3>
        <dl class="facts" style={FACTS_STYLE}>
          <dt safe>{tr('review.handovers.child_iin')}</dt>
          <dd safe>{h.childIin}</dd>
          {h.application ? (
            <>
              <dt safe>{tr('review.handovers.application')}</dt>
              <dd data-qa="application" safe>
                {tr('review.handovers.application.value', { number: h.application.number, child: h.application.child, status: tr(`parents.app.status.${h.application.status}`) })}
              </dd>
              <dt safe>{tr('review.handovers.holder')}</dt>
              <dd safe>{`${h.application.holder.name}, ${tr('review.iin')} ${h.application.holder.iin}`}</dd>
            </>
          ) : (
            ''
          )}
        </dl>
        {h.application ? (
          ''
        ) : (
          <p class="error" data-qa="no-application" safe>
            {tr('review.handovers.no_application')}
          </p>
        )}
        <Document tr={tr} doc={h.document} />
        <DecisionForm ctx={ctx} action={`/staff/handover-requests/${h.id}/decide`} id={h.id} approve={h.application !== null} labels={reviewLabels(tr)} />
      </>
    ),
  });
}
