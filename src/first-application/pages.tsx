import { Layout } from '../web/layout.tsx';
import type { PageContext } from '../web/page-context.ts';
import { PostForm } from '../web/forms.tsx';
import { Page, trOf, type Tr } from '../web/components.tsx';
import { CodeStep, FileField, TextField } from '../web/parent-fields.tsx';
import { Problem } from '../web/forms.tsx';
import { ApplyFields, InputField, problemOf, type ApplyForm, type FormProblems } from '../applications/apply-fields.tsx';
import type { FirstApplyParent } from './service.ts';

type OrgOption = { id: number; kind: string; nameKk: string; nameRu: string };
export type FirstKind = 'application' | 'handover';

const base = (kind: FirstKind) => (kind === 'handover' ? '/apply/handover' : '/apply');

/** The parent's own fields of the public forms (IIN, names, phones, e-mail), each with its refusal beside it. */
function ParentFields(props: { tr: Tr; p: Partial<FirstApplyParent>; email?: boolean; problems?: FormProblems | undefined }): JSX.Element {
  const { tr, p } = props;
  const err = (id: string) => problemOf(tr, props.problems, id);
  return (
    <fieldset class="stack">
      <legend safe>{tr('parents.first.parent')}</legend>
      <InputField id="iin" label={tr('parents.iin')} value={p.iin} required inputmode="numeric" maxlength="15" autocomplete="username" hint={tr('parents.iin.hint')} error={err('iin')} />
      <InputField id="parentLastName" label={tr('parents.apply.last_name')} value={p.lastName} required error={err('parentLastName')} />
      <InputField id="parentFirstName" label={tr('parents.apply.first_name')} value={p.firstName} required error={err('parentFirstName')} />
      <InputField id="parentMiddleName" label={tr('parents.apply.middle_name')} value={p.middleName} error={err('parentMiddleName')} />
      <InputField id="phone1" type="tel" label={tr('parents.phone1')} value={p.phone1} required hint={tr('parents.first.phone.hint')} inputmode="tel" maxlength="20" error={err('phone1')} />
      <InputField id="phone2" type="tel" label={tr('parents.phone2')} value={p.phone2} hint={tr('parents.first.phone2.hint')} inputmode="tel" maxlength="20" error={err('phone2')} />
      {props.email === false ? '' : <InputField id="email" type="email" label={tr('parents.email')} value={p.email} maxlength="200" error={err('email')} />}
      <p class="hint" data-qa="known-note" safe>
        {tr('parents.first.known_note')}
      </p>
    </fieldset>
  );
}

/** /apply: the first application of a parent with no cabinet yet — the parent, then the cabinet form's own fields. */
export function firstApplyPage(
  ctx: PageContext,
  o: { organisations: OrgOption[]; maxPreferences: number; form?: ApplyForm; parent?: Partial<FirstApplyParent>; error?: string | null; wayOut?: boolean; problems?: FormProblems | null },
): string {
  const tr = trOf(ctx);
  const f = o.form ?? {};
  const problems = o.problems ?? undefined;
  return Layout({
    ctx,
    title: tr('parents.first.title'),
    children: (
      <>
        <Problem error={o.error} />
        {o.wayOut ? (
          <p class="notice" data-qa="way-out">
            <span safe>{tr('parents.first.way_out')}</span>{' ' as 'safe'}
            <a href={`/apply/handover?lang=${ctx.lang}&child=${encodeURIComponent(f.childIin ?? '')}`} data-qa="way-out-link" safe>
              {tr('parents.handover.title')}
            </a>
          </p>
        ) : (
          ''
        )}
        <p safe>{tr('parents.first.intro')}</p>
        <p>
          <a href={`/cabinet/login?lang=${ctx.lang}`} safe>
            {tr('parents.first.have_cabinet')}
          </a>
        </p>
        {/* novalidate: the server names every refused field at once, beside it (a browser stops at the first) */}
        <PostForm ctx={ctx} action={`/apply?lang=${ctx.lang}`} multipart qa="first-apply-form" novalidate submit={{ label: tr('parents.first.submit'), qa: 'first-apply-submit' }}>
          <ParentFields tr={tr} p={o.parent ?? {}} problems={problems} />
          <ApplyFields ctx={ctx} organisations={o.organisations} maxPreferences={o.maxPreferences} form={f} problems={problems} />
        </PostForm>
      </>
    ),
  });
}

/** /apply/handover: a parent with no cabinet asks the department to hand a queued child's application over. */
export function firstHandoverPage(ctx: PageContext, o: { parent?: Partial<FirstApplyParent>; childIin?: string; error?: string | null }): string {
  const tr = trOf(ctx);
  return Page(
    ctx,
    { title: tr('parents.first.handover.title'), lead: tr('parents.first.handover.intro'), flash: { error: o.error } },
    <>
      <PostForm ctx={ctx} action={`/apply/handover?lang=${ctx.lang}`} multipart qa="first-handover-form" submit={{ label: tr('parents.first.submit'), qa: 'first-handover-submit' }}>
        <ParentFields tr={tr} p={o.parent ?? {}} email={false} />
        <TextField id="childIin" label={tr('parents.apply.child_iin')} value={o.childIin} required inputmode="numeric" maxlength="15" hint={tr('parents.iin.hint')} />
        <FileField id="file" label={tr('parents.handover.file')} required />
      </PostForm>
    </>,
  );
}

/** The code page of both public forms: the code, another code, back to the form. */
export function firstCodePage(ctx: PageContext, o: { kind: FirstKind; iin: string; minutes: number; resendSeconds: number; error?: string | null; notice?: boolean }): string {
  const tr = trOf(ctx);
  const url = base(o.kind);
  return Layout({
    ctx,
    title: tr(o.kind === 'handover' ? 'parents.first.handover.sent_title' : 'parents.first.code_title'),
    children: (
      <CodeStep
        ctx={ctx}
        sent={o.notice === false ? false : tr('parents.first.sent', { minutes: o.minutes })}
        error={o.error}
        verify={`${url}/verify?lang=${ctx.lang}`}
        qa="first-verify"
        iin={o.iin}
        submit={{ label: tr(o.kind === 'handover' ? 'parents.first.handover.confirm' : 'parents.first.confirm'), qa: 'first-verify-submit' }}
        resend={`${url}/resend?lang=${ctx.lang}`}
        resendSeconds={o.resendSeconds}
        after={
          <p>
            <a href={`${url}?lang=${ctx.lang}`} safe>
              {tr('parents.first.again_form')}
            </a>
          </p>
        }
      />
    ),
  });
}
