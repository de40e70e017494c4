import type { PageContext } from '../web/page-context.ts';
import { Csrf, PostForm, type Flash } from '../web/forms.tsx';
import { type Column, LinkList, Page, Section, StackedTable, type Tr, trOf } from '../web/components.tsx';
import { formatDateTime } from '../web/format.ts';
import { Reason } from '../staff-accounts/pages.tsx';
import { Facts } from '../contracts/pages.tsx';
import { PLACEHOLDERS } from '../contracts/template.ts';
import type { Preview, TemplateRow } from './service.ts';

export type { Flash };

export const BASE = '/staff/admin/contract-templates';

function authorText(tr: Tr, t: TemplateRow): string {
  return t.author ?? tr('contract_templates.author.kezek');
}

/** Every version, newest first; a new draft from the version in force (or the draft there is). */
export function templatesPage(ctx: PageContext, d: { templates: TemplateRow[] } & Flash): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  const draft = d.templates.find((t) => t.status === 'draft');
  const columns: Column<TemplateRow>[] = [
    {
      label: tr('contract_templates.col.version'),
      cell: (t) => (
        <a href={`${BASE}/${t.version}${q}`} data-qa={`open-${t.version}`} safe>
          {tr('contract_templates.version_n', { version: t.version })}
        </a>
      ),
    },
    { label: tr('contract_templates.col.state'), qa: 'state', text: (t) => tr(`contract_templates.status.${t.status}`) },
    { label: tr('contract_templates.col.source'), qa: 'source', text: (t) => tr(`contract_templates.source.${t.source}`) },
    { label: tr('contract_templates.col.author'), text: (t) => authorText(tr, t) },
    { label: tr('contract_templates.col.active_from'), text: (t) => (t.publishedAt ? formatDateTime(ctx.lang, t.publishedAt) : '—') },
    { label: tr('contract_templates.col.reason'), text: (t) => t.publishReason ?? '—' },
  ];
  return Page(
    ctx,
    { title: tr('contract_templates.title'), lead: tr('contract_templates.intro'), flash: d },
    <>
      <StackedTable columns={columns} rows={d.templates} qa="templates-table" rowQa={(t) => `template-${t.version}`} />
      {draft ? (
        <p>
          <a href={`${BASE}/${draft.version}${q}`} data-qa="open-draft" safe>
            {tr('contract_templates.open_draft', { version: draft.version })}
          </a>
        </p>
      ) : (
        <PostForm ctx={ctx} action={`${BASE}${q}`} qa="new-draft-form" submit={{ label: tr('contract_templates.new_draft'), qa: 'new-draft' }}>
          <input type="hidden" name="from" value={String(d.templates.find((t) => t.status === 'active')?.version ?? '')} />
        </PostForm>
      )}
    </>,
  );
}

/** The filled text as the contract shows it: the title, then the paragraphs (line breaks kept). */
function PreviewText(props: { ctx: PageContext; p: Preview }): JSX.Element {
  const tr = trOf(props.ctx);
  const { p } = props;
  return (
    <article lang={p.lang} data-qa={`preview-${p.lang}`} style="border:1px solid #c8d1da;padding:1rem;margin:.5rem 0 1rem;max-width:48rem">
      <h3 safe>{tr(`contract_templates.preview.${p.lang}`)}</h3>
      <p style="font-weight:600;text-align:center" data-qa={`preview-${p.lang}-title`} safe>
        {p.text.title}
      </p>
      {p.text.paragraphs.map((x) => (
        <p style="white-space:pre-line" safe>
          {x}
        </p>
      ))}
      {p.unused.length > 0 ? (
        <p class="hint" data-qa={`unused-${p.lang}`} safe>
          {tr('contract_templates.preview.unused', { names: p.unused.map((n) => `{{${n}}}`).join(', ') })}
        </p>
      ) : (
        ''
      )}
    </article>
  );
}

/**
 * One version: its facts; a draft's form (both bodies, "Preview" and "Save", the fields it may use)
 * and its publishing with a reason; the preview with the sample child in both languages — of the
 * typed text after "Preview" (`unsaved`), otherwise of the stored one.
 */
export function templatePage(
  ctx: PageContext,
  d: { template: TemplateRow; previews: Preview[] | null; unsaved?: { bodyKk: string; bodyRu: string } } & Flash,
): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  const t = d.template;
  const here = `${BASE}/${t.version}`;
  const isDraft = t.status === 'draft';
  const facts: [string, string, string?][] = [
    [tr('contract_templates.col.state'), tr(`contract_templates.status.${t.status}`), 'state'],
    [tr('contract_templates.col.source'), tr(`contract_templates.source.${t.source}`), 'source'],
    [tr('contract_templates.col.author'), authorText(tr, t)],
    [tr('contract_templates.col.created'), formatDateTime(ctx.lang, t.createdAt)],
  ];
  if (t.basedOn !== null) facts.push([tr('contract_templates.col.version'), tr('contract_templates.based_on', { version: t.basedOn })]);
  if (t.publishedAt) facts.push([tr('contract_templates.col.active_from'), formatDateTime(ctx.lang, t.publishedAt)]);
  if (t.publishReason) facts.push([tr('contract_templates.col.reason'), `${t.publishReason}${t.publishedBy ? ` (${t.publishedBy})` : ''}`]);
  const bodies = d.unsaved ?? t;
  return Page(
    ctx,
    { title: tr('contract_templates.version_title', { version: t.version }), lead: tr(isDraft ? 'contract_templates.draft_intro' : 'contract_templates.readonly'), flash: d },
    <>
      <p>
        <a href={`${BASE}${q}`} data-qa="back" safe>
          {tr('contract_templates.back')}
        </a>
      </p>
      <Facts rows={facts} />
      {isDraft ? (
        <>
          <form method="post" action={`${here}${q}`} class="stack" data-qa="edit-form">
            <Csrf ctx={ctx} />
            <p class="hint" id="format-hint" safe>
              {tr('contract_templates.format')}
            </p>
            <details>
              <summary safe>{tr('contract_templates.placeholders')}</summary>
              <dl data-qa="placeholders">
                {PLACEHOLDERS.map((p) => (
                  <div style="display:flex;flex-wrap:wrap;gap:0 1rem">
                    <dt style="flex:0 0 13rem">
                      <code safe>{`{{${p}}}`}</code>
                    </dt>
                    <dd style="margin:0" safe>
                      {tr(`contract_templates.ph.${p}`)}
                    </dd>
                  </div>
                ))}
              </dl>
            </details>
            {(['kk', 'ru'] as const).map((lang) => (
              <div>
                <label for={`body-${lang}`} safe>
                  {tr(`contract_templates.body.${lang}`)}
                </label>
                <textarea
                  id={`body-${lang}`}
                  name={`body_${lang}`}
                  lang={lang}
                  rows="18"
                  maxlength="20000"
                  required
                  aria-describedby="format-hint"
                  data-qa={`body-${lang}`}
                  style="display:block;width:100%;max-width:48rem;font:inherit"
                  safe
                >
                  {lang === 'kk' ? bodies.bodyKk : bodies.bodyRu}
                </textarea>
              </div>
            ))}
            <div style="display:flex;flex-wrap:wrap;gap:.75rem">
              <button type="submit" formaction={`${here}/preview${q}`} style="background:#57606a" data-qa="preview" safe>
                {tr('contract_templates.preview')}
              </button>
              <button type="submit" data-qa="save" safe>
                {tr('contract_templates.save')}
              </button>
            </div>
          </form>
        </>
      ) : (
        ''
      )}
      {d.previews ? (
        <Section id="preview" title={tr('contract_templates.preview.title')}>
          <p class="hint" safe>
            {tr('contract_templates.preview.sample')}
          </p>
          {d.unsaved ? (
            <p class="notice" data-qa="unsaved" safe>
              {tr('contract_templates.preview.unsaved')}
            </p>
          ) : (
            <LinkList
              links={[
                { href: `${here}/preview.pdf?doc=kk`, qa: 'preview-pdf-kk', text: tr('contract_templates.preview.pdf_kk') },
                { href: `${here}/preview.pdf?doc=ru`, text: tr('contract_templates.preview.pdf_ru') },
              ]}
            />
          )}
          {d.previews.map((p) => (
            <PreviewText ctx={ctx} p={p} />
          ))}
        </Section>
      ) : (
        ''
      )}
      {isDraft && !d.unsaved ? (
        <Section id="publish" title={tr('contract_templates.publish.title')}>
          <p safe>{tr('contract_templates.publish.hint')}</p>
          <PostForm ctx={ctx} action={`${here}/publish${q}`} qa="publish-form" submit={{ label: tr('contract_templates.publish.submit'), qa: 'publish' }}>
            <Reason ctx={ctx} id="publish-reason" />
          </PostForm>
        </Section>
      ) : (
        ''
      )}
    </>,
  );
}
