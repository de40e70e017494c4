// The pieces the department's review pages share: who asks (IIN, name, the phones on file) and the
// labels of a decision (approve, or reject with a reason).
import type { Tr } from './components.tsx';
import { fullName } from './parent-fields.tsx';

export interface PersonView {
  id: number;
  iin: string;
  lastName: string;
  firstName: string;
  middleName: string | null;
  phone1: string;
  phone2: string | null;
}

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
