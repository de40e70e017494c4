import { Html, type Children } from '@kitajs/html';
import { Layout } from '../web/layout.tsx';
import type { PageContext } from '../web/page-context.ts';
import { FlashBox, PostForm, SelectField, type Flash } from '../web/forms.tsx';
import { nameIn, namedOptions } from '../web/queries.ts';
import { type Column, Field, LinkLine, Page, Section, StackedTable, type Tr, trOf } from '../web/components.tsx';
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
  const str = (id: number | null | undefined) => (id == null ? undefined : String(id));
  return (
    <>
      <SelectField id={`${p}role`} name="role" label={tr('admin.users.role')} required options={STAFF_ROLES.map((r) => [r, tr(`web.staff.role.${r}`)] as const)} selected={props.role} />
      <SelectField id={`${p}organisation`} name="organisationId" label={tr('admin.create.organisation')} options={namedOptions(props.ctx.lang, props.organisations, tr('admin.create.none'))} selected={str(props.organisationId)} />
      <SelectField id={`${p}district`} name="districtId" label={tr('admin.create.district')} options={namedOptions(props.ctx.lang, props.districts, tr('admin.users.city'))} selected={str(props.districtId)} />
    </>
  );
}

/** One change of the account: its heading (and intro), then the form with its fields, the reason and the button. */
function ChangeSection(props: { ctx: PageContext; name: string; title: string; intro?: string; action: string; submit: { label: string; qa: string; danger?: boolean }; children?: Children }): JSX.Element {
  return (
    <Section id={props.name} title={props.title}>
      {props.intro ? <p safe>{props.intro}</p> : ''}
      <PostForm ctx={props.ctx} action={props.action} qa={`${props.name}-form`} submit={props.submit}>
        {props.children as 'safe'}
        <Reason ctx={props.ctx} id={`${props.name}-reason`} />
      </PostForm>
    </Section>
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
      <PostForm ctx={ctx} action={`/staff/admin/users${q}`} labelledBy="create-h" qa="create-form" submit={{ label: tr('admin.create.submit'), qa: 'create' }}>
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
      </PostForm>
    </>,
  );
}

/** The temporary password, shown once (after creating an account or resetting it). */
export function passwordPage(ctx: PageContext, d: { userId: number; username: string; password: string; notice: string }): string {
  const tr = trOf(ctx);
  return Page(
    ctx,
    { title: tr('admin.password.title'), lead: tr('admin.password.intro'), flash: { notice: d.notice } },
    <>
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
      <LinkLine
        links={[
          { href: `/staff/admin/users/${d.userId}?lang=${ctx.lang}`, text: tr('admin.user.title', { username: d.username }) },
          { href: `/staff/admin/users?lang=${ctx.lang}`, text: tr('admin.user.back') },
        ]}
      />
    </>,
  );
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
          <ChangeSection ctx={ctx} name="enable" title={tr('admin.enable.title')} action={`${base}/enable${q}`} submit={{ label: tr('admin.enable.submit'), qa: 'enable' }} />
        ) : (
          <ChangeSection ctx={ctx} name="disable" title={tr('admin.disable.title')} intro={tr('admin.disable.intro')} action={`${base}/disable${q}`} submit={{ label: tr('admin.disable.submit'), qa: 'disable', danger: true }} />
        )}

        <ChangeSection ctx={ctx} name="reset" title={tr('admin.reset.title')} intro={tr('admin.reset.intro')} action={`${base}/reset${q}`} submit={{ label: tr('admin.reset.submit'), qa: 'reset' }} />

        {d.teacherGroups ? (
          <ChangeSection ctx={ctx} name="groups" title={tr('admin.groups.title')} intro={tr('admin.groups.intro')} action={`${base}/groups${q}`} submit={{ label: tr('admin.groups.submit'), qa: 'groups-save' }}>
            {d.teacherGroups.groups.length === 0 ? <p safe>{tr('admin.groups.none')}</p> : ''}
            {d.teacherGroups.groups.map((g) => (
              <label>
                <input type="checkbox" name="groupIds" value={String(g.id)} checked={d.teacherGroups!.assigned.includes(g.id)} /> <span safe>{`${g.name} (${g.birthYear})`}</span>
              </label>
            ))}
          </ChangeSection>
        ) : (
          ''
        )}

        <ChangeSection ctx={ctx} name="role" title={tr('admin.role.title')} action={`${base}/role${q}`} submit={{ label: tr('admin.role.submit'), qa: 'role-save' }}>
          <ScopeFields ctx={ctx} organisations={d.organisations} districts={d.districts} role={u.role} organisationId={u.organisationId} districtId={u.districtId} idPrefix="role-" />
        </ChangeSection>
      </>
    ),
  });
}
