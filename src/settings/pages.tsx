import type { PageContext } from '../web/page-context.ts';
import { Csrf, type Flash } from '../web/forms.tsx';
import { Page, trOf, type Tr } from '../web/components.tsx';
import { formatDateTime } from '../web/format.ts';
import { POLICY_CHOICES, type AbsenceReason, type Policy } from '../domain/policy.ts';
import type { StaffRole } from '../db/schema.ts';
import { STAFF_ROLES } from '../staff-accounts/service.ts';
import { Reason } from '../staff-accounts/pages.tsx';
import type { SettingRow } from './service.ts';

/** The choices of a list setting (roles, absence reasons) and one choice's name. */
function choicesOf(key: keyof Policy): readonly string[] {
  return key === 'totpRequiredRoles' ? STAFF_ROLES : (POLICY_CHOICES[key] ?? []);
}
function choiceText(tr: Tr, key: keyof Policy, v: string): string {
  return key === 'paidAbsenceReasons' ? tr(`payments.reason.${v as AbsenceReason}`) : tr(`web.staff.role.${v as StaffRole}`);
}

/** A setting's value as shown (lists translated). */
export function settingText(tr: Tr, key: keyof Policy, v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.map((r) => choiceText(tr, key, r as string)).join(', ') : tr('admin.settings.empty');
  if (v === '') return tr('admin.settings.empty');
  return String(v);
}

export function settingsPage(ctx: PageContext, d: { settings: SettingRow[]; failed?: { key: string; raw: string } } & Flash): string {
  const tr = trOf(ctx);
  const q = `?lang=${ctx.lang}`;
  return Page(
    ctx,
    { title: tr('admin.settings.title'), lead: tr('admin.settings.intro'), flash: d },
    <>
      <div data-qa="settings">
        {d.settings.map((s) => {
          const id = `set-${s.key}`;
          const hint = `${tr('admin.settings.default')}: ${settingText(tr, s.key, s.defaultValue)}${s.updatedAt ? ` · ${tr('admin.settings.changed', { date: formatDateTime(ctx.lang, s.updatedAt) })}` : ''}`;
          const shown = d.failed?.key === s.key ? d.failed.raw : Array.isArray(s.value) ? '' : String(s.value);
          return (
            <form method="post" action={`/staff/admin/settings${q}`} class="stack" style="border-top:1px solid #c8d1da;padding:.75rem 0;max-width:40rem" data-qa={id}>
              <Csrf ctx={ctx} />
              <input type="hidden" name="key" value={s.key} />
              {Array.isArray(s.value) ? (
                <fieldset>
                  <legend safe>{tr(`admin.setting.${s.key}`)}</legend>
                  <span class="hint" safe>
                    {hint}
                  </span>
                  {choicesOf(s.key).map((r) => (
                    <label style="font-weight:400">
                      <input type="checkbox" name="value" value={r} checked={(s.value as string[]).includes(r)} /> <span safe>{choiceText(tr, s.key, r)}</span>
                    </label>
                  ))}
                </fieldset>
              ) : (
                <div>
                  <label for={id}>
                    {tr(`admin.setting.${s.key}`) as 'safe'}
                    <span class="hint" safe>
                      {hint}
                    </span>
                  </label>
                  <input type="text" id={id} name="value" value={shown} maxlength="20" inputmode={typeof s.defaultValue === 'number' ? 'numeric' : undefined} style="max-width:10rem" />
                </div>
              )}
              <Reason ctx={ctx} id={`${id}-reason`} />
              <div>
                <button type="submit" data-qa={`save-${s.key}`} safe>
                  {tr('admin.settings.save')}
                </button>
              </div>
            </form>
          );
        })}
      </div>
    </>,
  );
}
