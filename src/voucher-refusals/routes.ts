import { z } from 'zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { errors, hide, id, langQ, security } from '../api/schema.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { staffOnly } from '../workspaces/staff-scope.ts';
import { VOUCHER_REFUSALS } from '../domain/path.ts';
import { reviewVoucherRefusals } from './service.ts';
import { refusalsPage } from './pages.tsx';

/** An empty select ("all") sends ''. */
const orgQ = z.union([z.literal(''), id]).optional().transform((v) => (v === '' ? undefined : v));
const query = z.object({ org: orgQ, reason: z.string().max(40).optional(), ...langQ });

const refusalSchema = z.object({
  contractId: z.number(),
  refusedAt: z.string(),
  organisationId: z.number(),
  organisationKk: z.string(),
  organisationRu: z.string(),
  districtKk: z.string(),
  districtRu: z.string(),
  reason: z.enum(VOUCHER_REFUSALS as unknown as [string, ...string[]]),
  note: z.string().nullable(),
  applicationNumber: z.string(),
  birthYear: z.number(),
  referralNumber: z.string(),
  voucherNumber: z.string().nullable(),
});

/**
 * The documents refused under vouchers, for the department: the page (/staff/voucher-refusals,
 * filtered by ?org= and ?reason=) and its JSON (/api/voucher-refusals). Operators only; an operator
 * limited to a district sees its district's kindergartens.
 */
export const voucherRefusalRoutes: RoutePlugin = (r, deps) => {
  r.get('/staff/voucher-refusals', { schema: { ...hide, querystring: query } }, async (req, reply) => {
    if (!staffOnly(req, reply)) return reply;
    const filter = { organisationId: req.query.org, reason: req.query.reason || undefined };
    const review = await reviewVoucherRefusals(deps, req.actor, filter);
    return sendPage(reply, refusalsPage(pageContext(req, reply, deps), { ...review, ...filter }));
  });

  r.get(
    '/api/voucher-refusals',
    {
      schema: {
        tags: ['vouchers'],
        summary: 'The documents kindergartens refused under vouchers (operator): each refusal with its kindergarten, reason, day and application number; ?org= and ?reason= filter',
        security,
        querystring: query,
        response: {
          200: z.object({ total: z.number(), byReason: z.array(z.object({ reason: z.string(), n: z.number() })), rows: z.array(refusalSchema) }),
          ...errors,
        },
      },
    },
    async (req) => {
      const d = await reviewVoucherRefusals(deps, req.actor, { organisationId: req.query.org, reason: req.query.reason || undefined });
      return { total: d.total, byReason: d.byReason, rows: d.rows.map((x) => ({ ...x, refusedAt: x.refusedAt.toISOString() })) };
    },
  );
};
