// The pieces the department's review pages share: who asks (IIN, name, the phones on file) and the
// labels of a decision (approve, or reject with a reason).
import { Page, type Fact, type Tr } from './components.tsx';
import type { PageContext } from './page-context.ts';
import type { Flash } from './forms.tsx';
import type { PersonView } from '../db/fragments.ts';
import { fullName } from '../domain/names.ts';

/** The facts' grid of a review card. */
export const FACTS_STYLE = 'grid-template-columns:minmax(0,8.5rem) minmax(0,1fr)';

export function Person(props: { tr: Tr; p: PersonView }): JSX.Element {
  const { tr, p } = props;
  return (
    <>
      <dt safe>{tr('review.iin')}</dt>
      <dd safe>{p.iin}</dd>
      <dt safe>{tr('parents.name')}</dt>
      <dd safe>{fullName(p)}</dd>
      <dt safe>{tr('review.phones_on_file')}</dt>
      <dd safe>{[p.phone1, p.phone2].filter(Boolean).join(', ')}</dd>
    </>
  );
}

/** The labels of a review's {@link DecisionForm}. */
export const reviewLabels = (tr: Tr) => ({ approve: tr('review.approve'), reject: tr('review.reject'), reason: tr('review.reason') });

/**
 * A department review page (phone changes, hand-over requests, dead SMS): the flash and the lead,
 * then each item as a card headed by its number and date, or a line saying there is none.
 */
export function ReviewPage<T extends { id: number }>(
  ctx: PageContext,
  head: { title: string; lead: string; none: string; flash: Flash },
  items: T[],
  card: { qa: string; idPrefix: string; heading: (item: T) => string; body: (item: T) => JSX.Element },
): string {
  return Page(
    ctx,
    head,
    <>
      {items.length === 0 ? <p data-qa="empty" safe>{head.none}</p> : ''}
      {items.map((item) => (
        <section class="card" data-qa={card.qa} aria-labelledby={`${card.idPrefix}-${item.id}`}>
          <h2 id={`${card.idPrefix}-${item.id}`} safe>
            {card.heading(item)}
          </h2>
          {card.body(item)}
        </section>
      ))}
    </>,
  );
}

/** The first facts of a referral's card: its number, the child, the kindergarten (in the page's language). */
export const referralFacts = (tr: Tr, lang: PageContext['lang'], r: { number: string; childName: string; organisationKk: string; organisationRu: string }): Fact[] => [
  [tr('dept.referral'), r.number],
  [tr('dept.child'), r.childName],
  [tr('dept.organisation'), lang === 'kk' ? r.organisationKk : r.organisationRu],
];
