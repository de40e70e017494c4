import { namedOptions } from '../web/queries.ts';
import { Html } from '@kitajs/html';
import { Layout } from '../web/layout.tsx';
import type { PageContext } from '../web/page-context.ts';
import { Csrf, FlashBox, Select, Submit, type Flash } from '../web/forms.tsx';
import { Field, Page, StackedTable, trOf, type Column, type Tr } from '../web/components.tsx';
import { formatDate } from '../web/format.ts';
import { CabinetBar } from '../web/parent-fields.tsx';
import type { District } from '../organisations/service.ts';
import type { ParentEntry } from '../waiting-lists/service.ts';
import type { ChoiceRow, ChoiceView } from './service.ts';
import type { RegisterRow } from './register.ts';

const esc = (s: string) => Html.escapeHtml(s);
const nameOf = (ctx: PageContext, n: { kk: string; ru: string }) => (ctx.lang === 'kk' ? n.kk : n.ru);

function PostButton(props: { ctx: PageContext; action: string; label: string; qa: string; hidden?: [string, string][]; secondary?: boolean }): JSX.Element {
  return (
    <form method="post" action={props.action} class="inline">
      <Csrf ctx={props.ctx} />
      {(props.hidden ?? []).map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
      <button type="submit" data-qa={props.qa} style={props.secondary ? 'background:#57606a' : undefined} safe>
        {props.label}
      </button>
    </form>
  );
}

function placeText(tr: Tr, ctx: PageContext, p: ChoiceRow['places'][number]): string {
  return p.availableFrom ? tr('choice.place_from', { group: p.groupName, date: formatDate(ctx.lang, p.availableFrom) }) : tr('choice.place_now', { group: p.groupName });
}

/** The parent's waiting lists: the place in each, a live offer to accept or decline, leaving a list. */
function Lists(props: { ctx: PageContext; entries: ParentEntry[] }): JSX.Element {
  const { ctx } = props;
  const tr = trOf(ctx);
  if (props.entries.length === 0) return '';
  return (
    <section data-qa="waiting-lists">
      <h2 safe>{tr('waiting.mine')}</h2>
      {props.entries.map((e) => (
        <div class="card" data-qa={`entry-${e.organisationId}`} style="margin:.5rem 0;padding:.5rem;border:1px solid #d0d7de">
          <p>
            <strong safe>{nameOf(ctx, e.name)}</strong>
            {' — '}
            <span safe>{tr('waiting.position', { n: e.position ?? 0 })}</span>
          </p>
          {e.offer ? (
            <div data-qa="offer">
              <p class="notice" role="status" safe>
                {tr('waiting.offer', {
                  group: e.offer.groupName,
                  date: formatDate(ctx.lang, e.offer.deadline),
                  from: e.offer.availableFrom ? formatDate(ctx.lang, e.offer.availableFrom) : tr('choice.at_once'),
                })}
              </p>
              <PostButton ctx={ctx} action={`/cabinet/offers/${e.offer.id}/accept?lang=${ctx.lang}`} label={tr('waiting.accept')} qa="accept" />{' '}
              <PostButton ctx={ctx} action={`/cabinet/offers/${e.offer.id}/decline?lang=${ctx.lang}`} label={tr('waiting.decline')} qa="decline" secondary />
            </div>
          ) : (
            <PostButton ctx={ctx} action={`/cabinet/waiting/${e.entryId}/leave?lang=${ctx.lang}`} label={tr('waiting.leave')} qa="leave" secondary />
          )}
        </div>
      ))}
    </section>
  );
}

/** /cabinet/applications/:id/choose — the voucher's choice: filter, choose a place, or join a waiting list. */
export function choosePage(ctx: PageContext, d: { view: ChoiceView; districts: District[]; districtId: number | undefined; near: string; entries: ParentEntry[] } & Flash): string {
  const tr = trOf(ctx);
  const v = d.view;
  const base = `/cabinet/applications/${v.applicationId}`;
  const columns: Column<ChoiceRow>[] = [
    {
      label: tr('choice.kindergarten'),
      cell: (r) => (
        <>
          <strong safe>{nameOf(ctx, r.name)}</strong>
          <br />
          <span class="muted" safe>
            {[nameOf(ctx, r.address), r.ownership === 'private' ? tr('choice.private') : '', r.distanceMetres !== null ? tr('choice.km', { km: (r.distanceMetres / 1000).toFixed(1) }) : ''].filter(Boolean).join(' · ')}
          </span>
        </>
      ),
    },
    {
      label: tr('choice.places'),
      cell: (r) => (
        <>
          {r.places.map((p) => (
            <div style="margin:.25rem 0">
              <span safe>{placeText(tr, ctx, p)}</span>{' '}
              <PostButton ctx={ctx} action={`${base}/choose?lang=${ctx.lang}`} label={tr('choice.choose')} qa="choose" hidden={[['freePlaceId', String(p.freePlaceId)]]} />
            </div>
          ))}
        </>
      ),
    },
  ];
  const withoutCols: Column<ChoiceView['without'][number]>[] = [
    { label: tr('choice.kindergarten'), text: (o) => nameOf(ctx, o.name) },
    {
      label: tr('waiting.join'),
      cell: (o) => <PostButton ctx={ctx} action={`${base}/waiting?lang=${ctx.lang}`} label={tr('waiting.join')} qa={`join-${o.organisationId}`} hidden={[['organisationId', String(o.organisationId)]]} secondary />,
    },
  ];
  return Layout({
    ctx,
    title: tr('choice.title'),
    children: (
      <>
        <CabinetBar ctx={ctx} />
        <FlashBox error={d.error} notice={d.notice} />
        <p safe>{tr('choice.lead', { number: v.voucher.number, date: formatDate(ctx.lang, v.voucher.useDeadline) })}</p>
        <Lists ctx={ctx} entries={d.entries} />
        <form method="get" action={`${base}/choose`} class="stack" data-qa="filter">
          <input type="hidden" name="lang" value={ctx.lang} />
          <Field
            id="district"
            label={tr('choice.district')}
            control={(a) => <Select id={a.id} name="district" options={namedOptions(ctx.lang, d.districts, tr('choice.all_districts'))} selected={String(d.districtId ?? '')} />}
          />
          <Field id="near" label={tr('choice.near')} hint={tr('choice.near_hint')} control={(a) => <input type="text" id={a.id} name="near" value={d.near} maxlength="60" inputmode="decimal" aria-describedby={a.describedBy} />} />
          <Submit label={tr('choice.show')} qa="apply-filter" />
        </form>
        <h2 safe>{tr('choice.with_places')}</h2>
        <StackedTable columns={columns} rows={v.rows} qa="choices" rowQa={(r) => `org-${r.organisationId}`} empty={tr('choice.none')} />
        <h2 safe>{tr('choice.without_places')}</h2>
        <p class="muted" safe>
          {tr('waiting.explain')}
        </p>
        <StackedTable columns={withoutCols} rows={v.without} qa="without" rowQa={(o) => `waitable-${o.organisationId}`} empty={tr('choice.none_without')} />
      </>
    ),
  });
}

/** /staff/voucher-register — the department: voucher places per district, and the register itself. */
export function registerPage(
  ctx: PageContext,
  d: { perDistrict: { districtId: number; nameKk: string; nameRu: string; kindergartens: number; privateKindergartens: number; openPlaces: number; waiting: number }[]; rows: RegisterRow[] } & Flash,
): string {
  const tr = trOf(ctx);
  type D = (typeof d.perDistrict)[number];
  const sumCols: Column<D>[] = [
    { label: tr('register.district'), text: (x) => (ctx.lang === 'kk' ? x.nameKk : x.nameRu) },
    { label: tr('register.kindergartens'), num: true, text: (x) => String(x.kindergartens) },
    { label: tr('register.private'), num: true, text: (x) => String(x.privateKindergartens) },
    { label: tr('register.open_places'), num: true, qa: 'open-places', text: (x) => String(x.openPlaces) },
    { label: tr('register.waiting'), num: true, text: (x) => String(x.waiting) },
  ];
  const cols: Column<RegisterRow>[] = [
    { label: tr('choice.kindergarten'), cell: (r) => <span safe>{`${ctx.lang === 'kk' ? r.nameKk : r.nameRu} (${tr(r.ownership === 'private' ? 'choice.private' : 'register.state')})`}</span> },
    {
      label: tr('register.vouchers'),
      cell: (r) => (
        <form method="post" action={`/staff/voucher-register/${r.id}?lang=${ctx.lang}`} class="stack" data-qa="register-form">
          <Csrf ctx={ctx} />
          <label>
            <input type="checkbox" name="takesVouchers" value="1" checked={r.takesVouchers} /> <span safe>{tr('register.takes')}</span>
          </label>
          <input type="text" name="licence" value={r.licence ?? ''} maxlength="100" aria-label={esc(tr('register.licence'))} placeholder={esc(tr('register.licence'))} />
          <input type="date" name="joinedOn" value={r.joinedOn ?? ''} aria-label={esc(tr('register.joined'))} />
          <input type="text" name="coordinates" value={r.latitude !== null ? `${r.latitude}, ${r.longitude}` : ''} maxlength="60" aria-label={esc(tr('register.coordinates'))} placeholder="51.128, 71.430" />
          <Submit label={tr('register.save')} />
        </form>
      ),
    },
  ];
  return Page(
    ctx,
    { title: tr('register.title'), lead: tr('register.lead'), flash: { error: d.error, notice: d.notice } },
    <>
      <h2 safe>{tr('register.per_district')}</h2>
      <StackedTable columns={sumCols} rows={d.perDistrict} qa="per-district" />
      <h2 safe>{tr('register.list')}</h2>
      <StackedTable columns={cols} rows={d.rows} qa="register" rowQa={(r) => `org-${r.id}`} />
    </>,
  );
}
