import { Html } from '@kitajs/html';
import { Layout, type PageContext } from '../web/layout.tsx';
import { Csrf, FlashBox, type Flash } from '../web/forms.tsx';
import { nameIn } from '../web/queries.ts';
import { Field, Page, StackedTable, trOf, type Column, type Tr } from '../web/components.tsx';
import { formatDateTime } from '../web/format.ts';
import type { StaffRole } from '../db/schema.ts';
import { STAFF_ROLES, type StaffRow, type TeacherGroups } from './service.ts';

export type { Flash };

const esc = (s: string) => Html.escapeHtml(s);
type Named = { id: number; nameKk: string; nameRu: string };

function scopeText(tr: Tr, lang: string, u: StaffRow): string {
  if (u.role === 'kindergarten' || u.role === 'teacher') return nameIn(lang, { nameKk: u.organisationKk ?? '', nameRu: u.organisationRu ?? '' });
  if (u.role === 'operator') return u.districtId ? nameIn(lang, { nameKk: u.districtKk ?? '', nameRu: u.districtRu ?? '' }) : tr('admin.users.city');
  return '—';
}

function stateText(tr: Tr, u: StaffRow, nowMs: number): string {
  const parts = [u.disabledAt ? tr('admin.users.disabled') : u.lockedUntil && u.lockedUntil.getTime() > nowMs ? tr('admin.users.locked') : tr('admin.users.active')];
  parts.push(u.totpEnrolled ? tr('admin.users.totp_on') : tr('admin.users.totp_off'));
  return parts.join('; ');
}

/** Role, organisation and district fields (create and change). */
function ScopeFields(props: { ctx: PageContext; organisations: Named[]; districts: Named[]; role?: StaffRole; organisationId?: number | null; districtId?: number | null; idPrefix: string }): JSX.Element {
  const tr = trOf(props.ctx);
  const p = props.idPrefix;
  return (
    <>
      <div>
        <label for={`${p}role`} safe>
          {tr('admin.users.role')}
        </label>
        <select id={`${p}role`} name="role" required>
          {STAFF_ROLES.map((r) => (
            <option value={r} selected={props.role === r} safe>
              {tr(`web.staff.role.${r}`)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for={`${p}organisation`} safe>
          {tr('admin.create.organisation')}
        </label>
        <select id={`${p}organisation`} name="organisationId">
          <option value="" safe>
            {tr('admin.create.none')}
          </option>
          {props.organisations.map((o) => (
            <option value={String(o.id)} selected={props.organisationId === o.id} safe>
              {nameIn(props.ctx.lang, o)}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for={`${p}district`} safe>
          {tr('admin.create.district')}
        </label>
        <select id={`${p}district`} name="districtId">
          <option value="" safe>
            {tr('admin.users.city')}
          </option>
          {props.districts.map((d) => (
            <option value={String(d.id)} selected={props.districtId === d.id} safe>
              {nameIn(props.ctx.lang, d)}
            </option>
          ))}
        </select>
      </div>
    </>
  );
}

/** The reason field every administrator's change asks for. */
export function Reason(props: { ctx: PageContext; id: string }): JSX.Element {
  const tr = trOf(props.ctx);
  return (
    <div>
      <label for={props.id}>
        {tr('admin.reason') as 'safe'}
        <span class="hint" safe>
          {tr('admin.reason.hint')}
        </span>
      </label>
      <input type="text" id={props.id} name="reason" maxlength="500" required />
    </div>
  );
}

export interface CreateForm {
  username?: string;
  fullName?: string;
  role?: StaffRole;
  organisationId?: number | null;
  districtId?: number | null;
}

export function usersPage(ctx: PageContext, d: { users: StaffRow[]; organisations: Named[]; districts: Named[]; form?: CreateForm; fields?: Record<string, string> } & Flash): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  const nowMs = ctx.deps.clock.now().epochMilliseconds;
  const f = d.form ?? {};
  const columns: Column<StaffRow>[] = [
    {
      label: tr('admin.users.username'),
      cell: (u) => (
        <a href={`/staff/admin/users/${u.id}${q}`} style="white-space:nowrap" safe>
          {u.username}
        </a>
      ),
    },
    { label: tr('admin.users.full_name'), cell: (u) => esc(u.fullName) },
    { label: tr('admin.users.role'), cell: (u) => esc(tr(`web.staff.role.${u.role}`)) },
    { label: tr('admin.users.scope'), cell: (u) => esc(scopeText(tr, ctx.lang, u)) },
    { label: tr('admin.users.state'), qa: 'state', cell: (u) => esc(stateText(tr, u, nowMs)) },
  ];
  return Page(
    ctx,
    { title: tr('admin.users.title'), lead: tr('admin.users.intro'), flash: d },
    <>
      <StackedTable columns={columns} rows={d.users} qa="users-table" rowQa={(u) => `user-${u.username}`} empty={tr('admin.users.none')} emptyQa={null} />
      <h2 id="create-h" safe>
        {tr('admin.create.title')}
      </h2>
      <form method="post" action={`/staff/admin/users${q}`} class="stack" aria-labelledby="create-h" data-qa="create-form">
        <Csrf ctx={ctx} />
        <div>
          <label for="username" safe>
            {tr('admin.users.username')}
          </label>
          <input type="text" id="username" name="username" maxlength="40" required autocomplete="off" value={f.username ?? ''} />
        </div>
        <Field
          id="fullName"
          label={tr('admin.users.full_name')}
          error={d.fields?.fullName}
          control={(a) => <input type="text" id={a.id} name="fullName" maxlength="200" required value={f.fullName ?? ''} aria-describedby={a.describedBy} aria-invalid={a.invalid} />}
        />
        <ScopeFields ctx={ctx} organisations={d.organisations} districts={d.districts} role={f.role ?? 'kindergarten'} organisationId={f.organisationId ?? null} districtId={f.districtId ?? null} idPrefix="new-" />
        <div>
          <button type="submit" data-qa="create" safe>
            {tr('admin.create.submit')}
          </button>
        </div>
      </form>
    </>,
  );
}

/** The temporary password, shown once (after creating an account or resetting it). */
export function passwordPage(ctx: PageContext, d: { userId: number; username: string; password: string; notice: string }): string {
  const tr = trOf(ctx);
  return Layout({
    ctx,
    title: tr('admin.password.title'),
    children: (
      <>
        <FlashBox notice={d.notice} />
        <p safe>{tr('admin.password.intro')}</p>
        <dl class="facts">
          <dt safe>{tr('admin.users.username')}</dt>
          <dd safe>{d.username}</dd>
          <dt safe>{tr('admin.password.title')}</dt>
          <dd>
            <code class="big" data-qa="temporary-password" safe>
              {d.password}
            </code>
          </dd>
        </dl>
        <p>
          <a href={`/staff/admin/users/${d.userId}?lang=${ctx.lang}`} safe>
            {tr('admin.user.title', { username: d.username })}
          </a>
          {' · '}
          <a href={`/staff/admin/users?lang=${ctx.lang}`} safe>
            {tr('admin.user.back')}
          </a>
        </p>
      </>
    ),
  });
}

export function userPage(ctx: PageContext, d: { user: StaffRow; organisations: Named[]; districts: Named[]; teacherGroups?: TeacherGroups | null } & Flash): string {
  const tr = trOf(ctx);
  const u = d.user;
  const base = `/staff/admin/users/${u.id}`;
  const q = `?lang=${ctx.lang}`;
  return Layout({
    ctx,
    title: tr('admin.user.title', { username: u.username }),
    children: (
      <>
        <FlashBox error={d.error} notice={d.notice} />
        <p>
          <a href={`/staff/admin/users${q}`} safe>
            {tr('admin.user.back')}
          </a>
        </p>
        <dl class="facts" data-qa="user-facts">
          <dt safe>{tr('admin.users.full_name')}</dt>
          <dd safe>{u.fullName}</dd>
          <dt safe>{tr('admin.users.role')}</dt>
          <dd safe>{tr(`web.staff.role.${u.role}`)}</dd>
          <dt safe>{tr('admin.users.scope')}</dt>
          <dd safe>{scopeText(tr, ctx.lang, u)}</dd>
          <dt safe>{tr('admin.users.state')}</dt>
          <dd data-qa="state" safe>
            {stateText(tr, u, ctx.deps.clock.now().epochMilliseconds)}
          </dd>
          <dt safe>{tr('admin.user.created')}</dt>
          <dd safe>{formatDateTime(ctx.lang, u.createdAt)}</dd>
        </dl>

        {u.disabledAt ? (
          <section aria-labelledby="enable-h">
            <h2 id="enable-h" safe>
              {tr('admin.enable.title')}
            </h2>
            <form method="post" action={`${base}/enable${q}`} class="stack" data-qa="enable-form">
              <Csrf ctx={ctx} />
              <Reason ctx={ctx} id="enable-reason" />
              <div>
                <button type="submit" data-qa="enable" safe>
                  {tr('admin.enable.submit')}
                </button>
              </div>
            </form>
          </section>
        ) : (
          <section aria-labelledby="disable-h">
            <h2 id="disable-h" safe>
              {tr('admin.disable.title')}
            </h2>
            <p safe>{tr('admin.disable.intro')}</p>
            <form method="post" action={`${base}/disable${q}`} class="stack" data-qa="disable-form">
              <Csrf ctx={ctx} />
              <Reason ctx={ctx} id="disable-reason" />
              <div>
                <button type="submit" style="background:#a40e26" data-qa="disable" safe>
                  {tr('admin.disable.submit')}
                </button>
              </div>
            </form>
          </section>
        )}

        <section aria-labelledby="reset-h">
          <h2 id="reset-h" safe>
            {tr('admin.reset.title')}
          </h2>
          <p safe>{tr('admin.reset.intro')}</p>
          <form method="post" action={`${base}/reset${q}`} class="stack" data-qa="reset-form">
            <Csrf ctx={ctx} />
            <Reason ctx={ctx} id="reset-reason" />
            <div>
              <button type="submit" data-qa="reset" safe>
                {tr('admin.reset.submit')}
              </button>
            </div>
          </form>
        </section>

        {d.teacherGroups ? (
          <section aria-labelledby="groups-h">
            <h2 id="groups-h" safe>
              {tr('admin.groups.title')}
            </h2>
            <p safe>{tr('admin.groups.intro')}</p>
            <form method="post" action={`${base}/groups${q}`} class="stack" data-qa="groups-form">
              <Csrf ctx={ctx} />
              {d.teacherGroups.groups.length === 0 ? <p safe>{tr('admin.groups.none')}</p> : ''}
              {d.teacherGroups.groups.map((g) => (
                <label>
                  <input type="checkbox" name="groupIds" value={String(g.id)} checked={d.teacherGroups!.assigned.includes(g.id)} /> <span safe>{`${g.name} (${g.birthYear})`}</span>
                </label>
              ))}
              <Reason ctx={ctx} id="groups-reason" />
              <div>
                <button type="submit" data-qa="groups-save" safe>
                  {tr('admin.groups.submit')}
                </button>
              </div>
            </form>
          </section>
        ) : (
          ''
        )}

        <section aria-labelledby="role-h">
          <h2 id="role-h" safe>
            {tr('admin.role.title')}
          </h2>
          <form method="post" action={`${base}/role${q}`} class="stack" data-qa="role-form">
            <Csrf ctx={ctx} />
            <ScopeFields ctx={ctx} organisations={d.organisations} districts={d.districts} role={u.role} organisationId={u.organisationId} districtId={u.districtId} idPrefix="role-" />
            <Reason ctx={ctx} id="role-reason" />
            <div>
              <button type="submit" data-qa="role-save" safe>
                {tr('admin.role.submit')}
              </button>
            </div>
          </form>
        </section>
      </>
    ),
  });
}
