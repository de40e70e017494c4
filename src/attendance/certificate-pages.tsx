import type { PageContext } from '../web/page-context.ts';
import { Csrf, type Flash } from '../web/forms.tsx';
import { Field, Page, StackedTable, trOf } from '../web/components.tsx';
import { formatDate } from '../web/format.ts';
import { fullName } from '../domain/names.ts';
import type { CertificateTarget } from './certificates.ts';

/**
 * The medical certificate of a child's illness day, for the kindergarten (from the group-day) and for
 * the parent (from the child's month): the illness days around it with their certificates, and the
 * upload form (a file and the span it covers, by default the run of illness days). No JavaScript.
 */
export function certificatePage(
  ctx: PageContext,
  d: {
    c: CertificateTarget;
    /** The upload form's action (null: the caller only reads, e.g. the department). */
    action: string | null;
    /** The address of a certificate's file. */
    fileHref: (uploadId: number) => string;
    back: { href: string; label: string };
  } & Flash,
): string {
  const tr = trOf(ctx);
  const { c } = d;
  return Page(
    ctx,
    { title: tr('attendance.certificate.title', { name: fullName(c.child), date: formatDate(ctx.lang, c.day) }), lead: tr('attendance.certificate.who'), flash: d },
    <>
      <p data-qa="certificate-group" safe>
        {`${tr('attendance.group')}: ${c.groupName}`}
      </p>
      {c.refusal ? (
        <p class="notice" data-qa="certificate-refusal" safe>
          {tr(`attendance.error.${c.refusal}`, { days: 0 })}
        </p>
      ) : (
        <p class="muted" data-qa="certificate-kept" safe>
          {tr('attendance.certificate.kept', { date: formatDate(ctx.lang, c.keptUntil) })}
        </p>
      )}
      {c.illnessDays.length ? (
        <>
          <h2 safe>{tr('attendance.certificate.days')}</h2>
          <StackedTable
            qa="illness-days"
            rows={c.illnessDays}
            rowQa={(x) => `illness-${x.day}`}
            columns={[
              { label: tr('attendance.day'), text: (x) => formatDate(ctx.lang, x.day) },
              {
                label: tr('attendance.certificate'),
                cell: (x) =>
                  x.certificateId ? (
                    <a href={d.fileHref(x.certificateId)} data-qa="certificate" safe>
                      {tr('attendance.certificate.view')}
                    </a>
                  ) : (
                    <span class="muted" safe>
                      {x.erased ? tr('attendance.detail_erased') : tr('attendance.certificate.none')}
                    </span>
                  ),
              },
            ]}
          />
        </>
      ) : (
        ''
      )}
      {d.action && !c.refusal ? (
        <form method="post" action={d.action} enctype="multipart/form-data" data-qa="certificate-form">
          <h2 safe>{tr('attendance.certificate.upload')}</h2>
          <Csrf ctx={ctx} />
          <input type="hidden" name="day" value={c.day} />
          {c.certificateId ? (
            <p class="notice" data-qa="certificate-current" safe>
              {tr('attendance.certificate.current')}
            </p>
          ) : (
            ''
          )}
          <p class="hint" safe>
            {tr('attendance.certificate.hint')}
          </p>
          <Field id="from" label={tr('attendance.certificate.from')} control={(a) => <input type="date" id={a.id} name="from" value={c.run.from} max={c.day} required />} />
          <Field id="to" label={tr('attendance.certificate.to')} control={(a) => <input type="date" id={a.id} name="to" value={c.run.to} min={c.day} required />} />
          <Field id="file" label={tr('attendance.certificate.file')} control={(a) => <input type="file" id={a.id} name="file" accept="application/pdf,image/jpeg,image/png" required />} />
          <button type="submit" data-qa="certificate-upload" safe>
            {tr('attendance.certificate.upload')}
          </button>
        </form>
      ) : (
        ''
      )}
      <p>
        <a href={d.back.href} safe>
          {d.back.label}
        </a>
      </p>
    </>,
  );
}
