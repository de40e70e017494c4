import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../route-plugin.ts';
import { AppError, notFound } from '../errors.ts';
import { assertCan } from '../auth/permissions.ts';
import { t } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { almatyDate, fromDate } from '../clock.ts';
import { dayEnded } from '../domain/referral.ts';
import { Temporal } from 'temporal-polyfill';
import { organisationName, pageOrganisation, staffOnly, staffCan } from '../workspaces/staff-scope.ts';
import * as Referrals from './service.ts';
import { clearBirthDateCheck } from '../applications/birth-date-check.ts';
import * as S from './inbox-service.ts';
import { printPage, referralPage, referralsPage, type Flash, type RegisterForm } from './staff-pages.tsx';
import { fillContract, LANGUAGE_NAMES, versionLine, type ContractLang } from '../contracts/template.ts';
import { bodyOf, contractTemplate, type ContractTemplate } from '../contract-templates/service.ts';
import { qrSvg, renderContractPdf } from '../contracts/pdf.ts';
import { verifyPath } from '../contracts/verify.ts';
import { contractNumber, printToken } from '../contracts/service.ts';
import type { Lang } from '../db/schema.ts';
import { hide, idParam, langQ, langQuery } from '../api/schema.ts';

const orgQ = z.coerce.number().int().positive().max(2 ** 53).optional();
const DONE = ['registered', 'extra', 'concluded', 'refused', 'brought', 'birth_checked'] as const;
const error = z.object({ error: z.string(), message: z.string() });
const errors = { 400: error, 401: error, 403: error, 404: error, 409: error };

/** 'DD.MM.YYYY' of a 'YYYY-MM-DD' date or of an instant's Almaty date. */
function dotted(d: string | Date): string {
  const s = typeof d === 'string' ? d : almatyDate(fromDate(d)).toString();
  const [y, m, day] = s.split('-');
  return `${day}.${m}.${y}`;
}

function origin(req: FastifyRequest): string {
  return `${req.protocol}://${req.host}`;
}

function contractLangOf(q: string | undefined, lang: Lang): ContractLang {
  return q === 'kk' || q === 'ru' ? q : lang === 'ru' ? 'ru' : 'kk';
}

/** The contract's text in one language, from its template version (the one it was concluded under, else the one in force). */
function contractText(rec: S.ReferralRecord, template: ContractTemplate, lang: ContractLang) {
  const signed = rec.contract?.signedAt;
  return fillContract(bodyOf(template, lang), lang, {
    number: contractNumber(rec.number),
    referral_number: rec.number,
    date: signed ? dotted(signed) : '____________',
    organisation: lang === 'kk' ? rec.organisation.nameKk : rec.organisation.nameRu,
    organisation_address: lang === 'kk' ? rec.organisation.addressKk : rec.organisation.addressRu,
    parent: [rec.parent.lastName, rec.parent.firstName, rec.parent.middleName].filter(Boolean).join(' '),
    parent_iin: rec.parent.iin,
    parent_phone: rec.parent.phone1,
    child: [rec.child.lastName, rec.child.firstName, rec.child.middleName].filter(Boolean).join(' '),
    child_iin: rec.child.iin,
    child_birth_date: dotted(rec.child.birthDate),
    group: rec.group.name,
    group_language: LANGUAGE_NAMES[lang][rec.group.language],
  });
}

/**
 * The kindergarten's referral pages (working without JavaScript): incoming referrals soonest first,
 * one referral with the document checklist → register, the contract (extra period, conclude →
 * enrolled, refuse with a reason), printable referral and contract (PDF) with a QR code. Every
 * action goes through the referral service, which checks the named permission and the scope.
 */
export const referralStaffRoutes: RoutePlugin = (r, deps) => {

  // ---- incoming referrals ----
  r.get('/staff/referrals', { schema: { ...hide, querystring: z.object({ org: orgQ, q: z.string().max(100).optional(), ...langQ }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const orgId = pageOrganisation(req.actor, req.query.org);
    const q = req.query.q ?? '';
    const rows = await S.listIncoming(deps, req.actor, orgId, q);
    return sendPage(reply, referralsPage(pageContext(req, reply, deps), { organisationName: await organisationName(deps, orgId, req.lang), q, rows }));
  });

  async function showReferral(req: FastifyRequest, reply: FastifyReply, id: number, flash: Flash, status = 200, form?: (rec: S.ReferralRecord) => RegisterForm): Promise<FastifyReply> {
    const rec = await S.readReferralRecord(deps, req.actor, id, 'view', req.id);
    const deadlinePassed = dayEnded(Temporal.PlainDate.from(rec.deadline), deps.clock.now());
    const extraDays = (await deps.city.getPolicy()).contractExtraWorkingDays;
    return sendPage(reply, referralPage(pageContext(req, reply, deps), rec, { ...flash, deadlinePassed, extraDays, ...(form ? { form: form(rec) } : {}) }), status);
  }

  r.get('/staff/referrals/:id', { schema: { ...hide, params: idParam, querystring: z.object({ done: z.enum(DONE).optional(), ...langQ }) } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    let notice: string | null = null;
    if (req.query.done) {
      const deadline = await S.contractDeadline(deps, req.params.id);
      const date = deadline ? dotted(deadline) : '';
      const key = (
        {
          registered: 'staff.referral.registered',
          extra: 'staff.referral.contract.extra_done',
          concluded: 'staff.referral.contract.concluded',
          refused: 'staff.referral.contract.refused',
          brought: 'staff.referral.brought',
          birth_checked: 'birth_check.cleared_done',
        } as const
      )[req.query.done];
      notice = t(req.lang, key, { date });
    }
    return showReferral(req, reply, req.params.id, { notice });
  });

  /** A form action: run it; on a refusal show the page again with the reason (nothing changed). */
  function action<B extends z.ZodTypeAny>(path: string, body: B, run: (req: FastifyRequest, id: number, body: z.infer<B>) => Promise<unknown>, done: (typeof DONE)[number]) {
    r.post(path, { schema: { ...hide, params: idParam, body, querystring: langQuery } }, async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      const id = (req.params as { id: number }).id;
      try {
        await run(req, id, req.body as z.infer<B>);
      } catch (e) {
        if (!(e instanceof AppError) || e.status === 403 || e.status === 401 || e.status === 404) throw e;
        return showReferral(req, reply, id, { error: t(req.lang, e.messageKey, e.params) }, e.status);
      }
      return reply.redirect(`/staff/referrals/${id}?lang=${req.lang}&done=${done}`, 303);
    });
  }

  const docs = z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
  // registering with some documents not ticked asks once "register with missing: …?"; the ticks are kept on any refusal
  r.post(
    '/staff/referrals/:id/register',
    { schema: { ...hide, params: idParam, body: z.object({ documents: docs, confirmed_missing: z.string().max(200).optional() }), querystring: langQuery } },
    async (req, reply) => {
      if (!staffOnly(req, reply)) return reply;
      const id = req.params.id;
      const ticked = req.body.documents;
      const confirmed = req.body.confirmed_missing?.split(',').filter(Boolean) ?? null;
      try {
        await Referrals.registerReferral(deps, req.actor, id, Object.fromEntries(ticked.map((d: string) => [d, true])), { acceptMissing: confirmed ?? false });
      } catch (e) {
        if (!(e instanceof AppError) || e.status === 403 || e.status === 401 || e.status === 404) throw e;
        const form = (rec: S.ReferralRecord): RegisterForm => {
          const missing = rec.requiredDocuments.filter((k) => !ticked.includes(k));
          return { ticked, confirmMissing: e.code === 'documents_incomplete' && missing.length > 0 ? missing : null };
        };
        // the first refusal for documents not ticked is the question itself, not an error
        const error = e.code === 'documents_incomplete' ? null : t(req.lang, e.messageKey, e.params);
        return showReferral(req, reply, id, { error }, e.code === 'documents_incomplete' ? 200 : e.status, form);
      }
      return reply.redirect(`/staff/referrals/${id}?lang=${req.lang}&done=registered`, 303);
    },
  );
  action('/staff/referrals/:id/documents', z.object({ documents: docs }), (req, id, b) => Referrals.bringDocuments(deps, req.actor, id, b.documents), 'brought');
  action('/staff/referrals/:id/extra-period', z.object({}).passthrough(), (req, id) => Referrals.grantExtraContractPeriod(deps, req.actor, id), 'extra');
  // enrolment: only with the explicit confirmation that the contract is signed
  action(
    '/staff/referrals/:id/conclude',
    // template_version: the model contract's version the page showed (a newer one published since is refused)
    z.object({ confirm: z.string().max(10).optional(), template_version: z.coerce.number().int().positive().max(2 ** 31 - 1).optional() }).passthrough(),
    async (req, id, b) => {
      if (b.confirm !== 'yes') throw new AppError('confirm_required', 400, 'enrol.confirm_required');
      await Referrals.concludeContract(deps, req.actor, id, { templateVersion: b.template_version });
    },
    'concluded',
  );
  action(
    '/staff/referrals/:id/birth-date-check',
    z.object({ reason: z.string().max(1000).default('') }),
    (req, id, b) => clearBirthDateCheck(deps, req.actor, id, b.reason, req.id),
    'birth_checked',
  );
  action(
    '/staff/referrals/:id/refuse',
    z.object({ reason: z.string().max(60).default(''), note: z.string().max(1000).optional() }),
    (req, id, b) => Referrals.refuseContract(deps, req.actor, id, { reason: b.reason.trim(), note: b.note }),
    'refused',
  );

  // ---- printing ----
  r.get('/staff/referrals/:id/print', { schema: { ...hide, params: idParam, querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'document.print')) return reply;
    const rec = await S.readReferralRecord(deps, req.actor, req.params.id, 'print_referral', req.id);
    const token = await printToken(deps, req.actor, 'referral', rec.id);
    const url = origin(req) + verifyPath('referral', token);
    const tr = (k: Parameters<typeof t>[1], p?: Record<string, string | number>) => t(req.lang, k, p);
    const paragraphs = [
      `${tr('staff.referral.child')}: ${[rec.child.lastName, rec.child.firstName, rec.child.middleName].filter(Boolean).join(' ')} (${tr('staff.referral.child_iin')} ${rec.child.iin}, ${dotted(rec.child.birthDate)})`,
      `${tr('staff.referral.group')}: ${tr('staff.referral.group.value', { name: rec.group.name, year: String(rec.group.birthYear), language: tr(`staff.lang.${rec.group.language}`), type: tr(`staff.group.type.${rec.group.type}`) })}`,
      `${tr('staff.referral.issued')}: ${dotted(rec.issuedAt)}. ${tr('staff.referral.deadline')}: ${tr('staff.referral.deadline.value', { date: dotted(rec.deadline) })}`,
      `${tr('staff.referral.status')}: ${tr(`staff.status.${rec.status}`)}`,
    ];
    const html = printPage(pageContext(req, reply, deps), {
      title: tr('staff.print.referral.title', { number: rec.number }),
      organisation: req.lang === 'kk' ? rec.organisation.nameKk : rec.organisation.nameRu,
      paragraphs,
      qrSvg: await qrSvg(url),
      verifyUrl: url,
    });
    return sendPage(reply, html);
  });

  r.get('/staff/referrals/:id/contract', { schema: { ...hide, params: idParam, querystring: z.object({ doc: z.enum(['kk', 'ru']).optional(), ...langQ }) } }, async (req, reply) => {
    if (!staffCan(req, reply, 'document.print')) return reply;
    const rec = await S.readReferralRecord(deps, req.actor, req.params.id, 'print_contract', req.id);
    if (!rec.contract) throw notFound();
    const token = await printToken(deps, req.actor, 'contract', rec.contract.id);
    const url = origin(req) + verifyPath('contract', token);
    const template = await contractTemplate(deps, rec.contract.templateVersion ?? rec.activeTemplateVersion);
    const text = contractText(rec, template, contractLangOf(req.query.doc, req.lang));
    const html = printPage(pageContext(req, reply, deps), {
      title: text.title,
      organisation: req.lang === 'kk' ? rec.organisation.nameKk : rec.organisation.nameRu,
      paragraphs: text.paragraphs,
      qrSvg: await qrSvg(url),
      verifyUrl: url,
      footer: t(req.lang, 'staff.print.template', { version: template.version }),
      signatures: { parties: [text.provider, text.customer], label: text.signature },
    });
    return sendPage(reply, html);
  });

  r.get(
    '/staff/referrals/:id/contract.pdf',
    {
      schema: {
        tags: ['staff'],
        summary: 'The model contract of a referral as PDF (kk or ru), with a QR code to its public check',
        security: [{ session: [] }],
        params: idParam,
        querystring: z.object({ doc: z.enum(['kk', 'ru']).optional(), ...langQ }),
        produces: ['application/pdf'],
      },
    },
    async (req, reply) => {
      assertCan(req.actor, 'document.print');
      const rec = await S.readReferralRecord(deps, req.actor, req.params.id, 'print_contract', req.id);
      if (!rec.contract) throw notFound();
      const token = await printToken(deps, req.actor, 'contract', rec.contract.id);
      const lang = contractLangOf(req.query.doc, req.lang);
      const template = await contractTemplate(deps, rec.contract.templateVersion ?? rec.activeTemplateVersion);
      const pdf = await renderContractPdf(contractText(rec, template, lang), origin(req) + verifyPath('contract', token), { version: versionLine(lang, template.version) });
      return reply
        .type('application/pdf')
        .header('cache-control', 'private, no-store')
        .header('content-disposition', `inline; filename="contract-${rec.number.replace(/[^A-Za-z0-9-]/g, '_')}-${lang}.pdf"`)
        .send(pdf);
    },
  );

  // ---- JSON ----
  r.get(
    '/api/staff/referrals',
    {
      schema: {
        tags: ['staff'],
        summary: 'Incoming referrals of an organisation (issued or registered), soonest deadline first',
        security: [{ session: [] }],
        querystring: z.object({ organisationId: orgQ, q: z.string().max(100).optional() }),
        response: {
          200: z.object({
            referrals: z.array(
              z.object({
                id: z.number(),
                number: z.string(),
                status: z.string(),
                due: z.string(),
                extended: z.boolean(),
                contractStatus: z.string().nullable(),
                extraPeriodGranted: z.boolean(),
                groupName: z.string(),
                childName: z.string(),
                childBirthDate: z.string(),
              }),
            ),
          }),
          ...errors,
        },
      },
    },
    async (req) => {
      assertCan(req.actor, 'referral.list');
      return { referrals: await S.listIncoming(deps, req.actor, pageOrganisation(req.actor, req.query.organisationId), req.query.q ?? '') };
    },
  );
};
