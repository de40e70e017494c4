// A supporting document in a staff page: an image shown in the page (to compare at a glance), a PDF
// as a link; both served by /api/uploads/:id.
import type { UploadType } from '../db/schema.ts';
import type { Tr } from '../web/components.tsx';

export interface DocumentView {
  id: number;
  type: UploadType;
}

const TYPE_NAME: Record<DocumentView['type'], string> = { 'application/pdf': 'PDF', 'image/jpeg': 'JPEG', 'image/png': 'PNG' };

export function Document(props: { tr: Tr; doc: DocumentView }): JSX.Element {
  const href = `/api/uploads/${props.doc.id}`;
  return (
    <div data-qa="document">
      {props.doc.type === 'application/pdf' ? (
        ''
      ) : (
        <img src={href} alt={props.tr('review.document')} style="display:block;max-width:100%;height:auto;max-height:28rem;border:1px solid #c8d1da;margin:.25rem 0" />
      )}
      <a href={href} target="_blank" rel="noopener" safe>
        {props.tr('review.document.open', { type: TYPE_NAME[props.doc.type] })}
      </a>
    </div>
  );
}
