import { z } from 'zod';
import type { RoutePlugin } from '../route-plugin.ts';
import { assertCan } from '../auth/permissions.ts';
import { EXTENSION_REASONS } from '../domain/referral.ts';
import type { ExtensionReason } from '../db/schema.ts';
import * as S from './service.ts';
import { CONTRACT_REFUSAL_REASONS, type ContractRefusalReason } from '../domain/path.ts';
import { idParam } from '../api/schema.ts';

const error = z.object({ error: z.string(), message: z.string() });
const reason = z.string().trim().min(1).max(1000);
const STATUSES = ['issued', 'registered', 'enrolled', 'expired', 'returned', 'lapsed', 'cancelled'] as const;
const referral = z.object({
  id: z.number(),
  number: z.string(),
  status: z.enum(STATUSES),
  applicationId: z.number(),
  organisationId: z.number(),
  groupId: z.number(),
  issuedAt: z.string(),
  deadline: z.string(),
  extended: z.boolean(),
  registeredAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  closedReason: z.string().nullable(),
  contract: z.object({ status: z.string(), deadline: z.string(), extraPeriodGranted: z.boolean() }).nullable(),
  requiredDocuments: z.array(z.string()),
  missingDocuments: z.array(z.string()),
});
const errors = { 400: error, 401: error, 403: error, 404: error, 409: error };
const ok = z.object({ ok: z.literal(true) });

/** The referral's life over JSON. Routes parse and check the permission; services check the scope on the loaded row. */
export const referralRoutes: RoutePlugin = (r, deps) => {
  const security = [{ session: [] }];

  r.post(
    '/api/referrals',
    {
      schema: {
        tags: ['referrals'],
        summary: 'Issue a referral by hand (operator): takes an open free place of the group',
        security,
        body: z.object({ applicationId: z.number().int().positive(), groupId: z.number().int().positive() }),
        response: { 201: z.object({ id: z.number(), number: z.string(), deadline: z.string() }), ...errors },
      },
    },
    async (req, reply) => {
      assertCan(req.actor, 'referral.issue_manual');
      return reply.status(201).send(await S.issueReferral(deps, req.actor, req.body));
    },
  );

  r.get(
    '/api/referrals',
    {
      schema: {
        tags: ['referrals'],
        summary: 'Referrals the caller may see, soonest deadline first',
        security,
        querystring: z.object({ status: z.enum(STATUSES).optional(), limit: z.coerce.number().int().min(1).max(1000).optional(), lang: z.enum(['kk', 'ru', 'en']).optional() }),
        response: { 200: z.object({ referrals: z.array(referral) }), ...errors },
      },
    },
    async (req) => ({ referrals: await S.listReferrals(deps, req.actor, { status: req.query.status, limit: req.query.limit }) }),
  );

  r.get(
    '/api/referrals/lapsed',
    {
      schema: {
        tags: ['referrals'],
        summary: 'Referrals whose contract period ended without a contract (the department list)',
        security,
        response: { 200: z.object({ referrals: z.array(referral) }), ...errors },
      },
    },
    async (req) => {
      assertCan(req.actor, 'referral.list');
      return { referrals: await S.listReferrals(deps, req.actor, { status: 'lapsed' }) };
    },
  );

  r.get(
    '/api/referrals/:id',
    { schema: { tags: ['referrals'], summary: 'One referral', security, params: idParam, response: { 200: referral, ...errors } } },
    async (req) => S.getReferral(deps, req.actor, req.params.id),
  );

  r.post(
    '/api/referrals/:id/register',
    {
      schema: {
        tags: ['referrals'],
        summary:
          'Register the referral (kindergarten): the required documents, each ticked or not; with some not ticked only with acceptMissing — the missing ones are recorded and the contract period is the extra one at once',
        security,
        params: idParam,
        body: z.object({ documents: z.record(z.string().max(60), z.boolean()), acceptMissing: z.boolean().optional() }),
        response: { 200: z.object({ contractDeadline: z.string(), missingDocuments: z.array(z.string()) }), ...errors },
      },
    },
    async (req) => S.registerReferral(deps, req.actor, req.params.id, req.body.documents, { acceptMissing: req.body.acceptMissing === true }),
  );

  r.post(
    '/api/referrals/:id/documents',
    {
      schema: {
        tags: ['referrals'],
        summary: 'Record documents brought after a registration with documents missing (kindergarten): answers what is still missing',
        security,
        params: idParam,
        body: z.object({ documents: z.array(z.string().max(60)).max(10) }),
        response: { 200: z.object({ missingDocuments: z.array(z.string()) }), ...errors },
      },
    },
    async (req) => S.bringDocuments(deps, req.actor, req.params.id, req.body.documents),
  );

  r.post(
    '/api/referrals/:id/return',
    {
      schema: {
        tags: ['referrals'],
        summary: 'Return the referral (the parent, or an operator): no stop-list; stay in the queue or leave it',
        security,
        params: idParam,
        body: z.object({ choice: z.enum(['stay', 'leave']) }),
        response: { 200: ok, ...errors },
      },
    },
    async (req) => {
      await S.returnReferral(deps, req.actor, req.params.id, req.body.choice);
      return { ok: true as const };
    },
  );

  r.post(
    '/api/referrals/:id/extend',
    {
      schema: {
        tags: ['referrals'],
        summary: 'Extend the referral once, on its last day (the parent), with the reason and a supporting document',
        security,
        params: idParam,
        body: z.object({ reason: z.enum(EXTENSION_REASONS as [ExtensionReason, ...ExtensionReason[]]), note: z.string().max(1000).optional(), documentRef: z.string().trim().min(1).max(500) }),
        response: { 200: z.object({ deadline: z.string() }), ...errors },
      },
    },
    async (req) => S.extendReferral(deps, req.actor, req.params.id, req.body),
  );

  r.post(
    '/api/referrals/:id/contract/extra-period',
    {
      schema: { tags: ['referrals'], summary: 'Documents missing: the one extra contract period (kindergarten)', security, params: idParam, response: { 200: z.object({ contractDeadline: z.string() }), ...errors } },
    },
    async (req) => S.grantExtraContractPeriod(deps, req.actor, req.params.id),
  );

  r.post(
    '/api/referrals/:id/contract/conclude',
    {
      schema: {
        tags: ['referrals'],
        summary: 'The contract is signed: the child is enrolled and leaves the queue (kindergarten)',
        security,
        params: idParam,
        body: z.object({ templateVersion: z.number().int().positive().max(2 ** 31 - 1).optional().describe('the model contract version printed and signed; refused (409) when a newer one is in force') }).optional(),
        response: { 200: ok, ...errors },
      },
    },
    async (req) => {
      await S.concludeContract(deps, req.actor, req.params.id, { templateVersion: req.body?.templateVersion });
      return { ok: true as const };
    },
  );

  r.post(
    '/api/referrals/:id/contract/refuse',
    {
      schema: {
        tags: ['referrals'],
        summary:
          "The kindergarten refuses the contract with a reason from the closed list (the kind's; 'documents_missing' only after the extra period ran out; 'other' with a note): back in the queue, no stop-list, the parent told",
        security,
        params: idParam,
        body: z.object({ reason: z.enum(CONTRACT_REFUSAL_REASONS as [ContractRefusalReason, ...ContractRefusalReason[]]), note: z.string().trim().max(1000).optional() }),
        response: { 200: ok, ...errors },
      },
    },
    async (req) => {
      await S.refuseContract(deps, req.actor, req.params.id, req.body);
      return { ok: true as const };
    },
  );

  r.post(
    '/api/referrals/:id/cancel',
    {
      schema: {
        tags: ['referrals'],
        summary: 'Cancel a referral (department): a false privilege also stop-lists and resets the tier',
        security,
        params: idParam,
        body: z.object({ kind: z.enum(['false_privilege', 'other']), reason }),
        response: { 200: z.object({ stopListId: z.number().nullable() }), ...errors },
      },
    },
    async (req) => S.cancelReferral(deps, req.actor, req.params.id, req.body),
  );

  r.post(
    '/api/referrals/:id/restore',
    {
      schema: { tags: ['referrals'], summary: 'Undo a wrong expiry (department): issued again with a new deadline, stop-list lifted', security, params: idParam, body: z.object({ reason }), response: { 200: z.object({ deadline: z.string() }), ...errors } },
    },
    async (req) => S.restoreReferral(deps, req.actor, req.params.id, req.body.reason),
  );

  r.post(
    '/api/stop-list/:id/lift',
    {
      schema: { tags: ['referrals'], summary: 'Lift a stop-list entry (department), with a reason', security, params: idParam, body: z.object({ reason }), response: { 200: ok, ...errors } },
    },
    async (req) => {
      await S.liftStopList(deps, req.actor, req.params.id, req.body.reason);
      return { ok: true as const };
    },
  );
};
