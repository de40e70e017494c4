// Phone changes: the parent's pages (start a change, confirm it with the codes) and the department's
// review of the changes proven by an identity card scan.
import type { PageContext } from '../web/page-context.ts';
import { PostForm, Radios, type Flash } from '../web/forms.tsx';
import { DecisionForm, Facts, trOf } from '../web/components.tsx';
import { formatDateTime } from '../web/format.ts';
import { CabinetPage, FileField } from '../web/parent-fields.tsx';
import { HintedField } from '../web/forms.tsx';
import { FACTS_STYLE, Person, ReviewPage, reviewLabels } from '../web/review-parts.tsx';
import { Document } from '../uploads/document-view.tsx';
import type { CabinetParent } from '../workspaces/cabinet/loaders.ts';
import type { PhoneChangeView, PhoneReview } from './service.ts';

export function phonePage(ctx: PageContext, o: { parent: CabinetParent; changes: PhoneChangeView[]; error?: string | null; notice?: string | null }): string {
  const tr = trOf(ctx);
  return CabinetPage(
    ctx,
    { title: tr('parents.phone.title'), notice: o.notice, error: o.error },
    <>
      <p safe>{tr('parents.phone.intro')}</p>
      <Facts
        style="grid-template-columns:minmax(0,1fr);gap:0 1rem"
        facts={[
          [tr('parents.phone1'), o.parent.phone1],
          [tr('parents.phone2'), o.parent.phone2 ?? tr('parents.none')],
        ]}
      />
      <PostForm ctx={ctx} action={`/cabinet/phone?lang=${ctx.lang}`} multipart qa="phone-form" submit={{ label: tr('parents.phone.start'), qa: 'phone-start' }}>
        <Radios legend={tr('parents.phone.slot')} name="slot" options={[['1', tr('parents.phone.slot1')], ['2', tr('parents.phone.slot2')]]} checked="1" />
        <HintedField id="phone" label={tr('parents.phone.new')} hint={tr('parents.phone.new.hint')}>
          <input type="text" id="phone" name="phone" required inputmode="tel" autocomplete="tel" maxlength="20" aria-describedby="phone-hint" />
        </HintedField>
        <Radios legend={tr('parents.phone.proof')} name="proof" options={[['old_phone', tr('parents.phone.proof.old_phone')], ['id_card', tr('parents.phone.proof.id_card')]]} checked="old_phone" />
        <FileField id="file" label={tr('parents.phone.id_card')} />
      </PostForm>
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
    </>,
  );
}

export function phoneConfirmPage(ctx: PageContext, o: { change: PhoneChangeView; error?: string | null }): string {
  const tr = trOf(ctx);
  return CabinetPage(
    ctx,
    { title: tr('parents.phone.confirm_title'), error: o.error },
    <PostForm ctx={ctx} action={`/cabinet/phone/${o.change.id}/confirm?lang=${ctx.lang}`} qa="phone-confirm" submit={{ label: tr('parents.phone.confirm'), qa: 'phone-confirm-submit' }}>
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
    </PostForm>,
  );
}

export function phoneReviewsPage(ctx: PageContext, d: { items: PhoneReview[] } & Flash): string {
  const tr = trOf(ctx);
  return ReviewPage(ctx, { title: tr('review.phones.title'), lead: tr('review.phones.intro'), none: tr('review.phones.none'), flash: d }, d.items, {
    qa: 'phone-change',
    idPrefix: 'pc',
    heading: (c) => tr('review.phones.item', { id: c.id, date: formatDateTime(ctx.lang, c.createdAt) }),
    body: (c) => (
      <>
        <dl class="facts" style={FACTS_STYLE}>
          <Person tr={tr} p={c.parent} />
          <dt safe>{tr('review.phones.slot')}</dt>
          <dd safe>{tr(c.slot === 2 ? 'review.phones.slot.2' : 'review.phones.slot.1')}</dd>
          <dt safe>{tr('review.phones.old')}</dt>
          <dd safe>{c.oldPhone ?? tr('parents.none')}</dd>
          <dt safe>{tr('review.phones.new')}</dt>
          <dd data-qa="new-phone" safe>
            {c.newPhone}
          </dd>
        </dl>
        {c.document ? <Document tr={tr} doc={c.document} /> : ''}
        <DecisionForm ctx={ctx} action={`/staff/phone-changes/${c.id}/decide`} id={c.id} approve labels={reviewLabels(tr)} />
      </>
    ),
  });
}
