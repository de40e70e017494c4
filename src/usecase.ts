// The one use-case wrapper: every state change of Kezek runs through `useCase`. It checks the
// named permission, reads the city's policy and calendar (before the transaction: PGlite's pool has
// one connection), opens the transaction, gives the body the scope checks, the audit log and the
// outbox bound to that transaction, and turns a database constraint violation into the domain's
// error. A route only parses, authorises (through this), calls and renders.
import type { Kysely } from 'kysely';
import type { Temporal } from 'temporal-polyfill';
import type { AppDeps } from './context.ts';
import type { DB, Row } from './db/schema.ts';
import type { Policy } from './domain/policy.ts';
import type { WorkingCalendar } from './domain/calendar.ts';
import { audit, type Actor, type AuditEntry } from './audit/write.ts';
import { assertCan, assertOrganisationInScope, assertParent, type Permission } from './auth/permissions.ts';
import { enqueueSms, type SmsRequest } from './sms/outbox.ts';
import { AppError, notFound } from './errors.ts';
import { toDate } from './clock.ts';

export type Trx = Kysely<DB>;

/** What a use case's body works with: the transaction and everything bound to it. */
export interface UseCaseScope {
  trx: Trx;
  deps: AppDeps;
  actor: Actor;
  policy: Policy;
  calendar: WorkingCalendar;
  /** The clock's reading when the use case started: one "now" for the whole change. */
  now: Temporal.Instant;
  /** Audit entries written in this transaction (who = the actor). */
  audit(entries: AuditEntry | AuditEntry[]): Promise<void>;
  /** An SMS queued in this transaction's outbox: sent only if the change commits. */
  sms(req: SmsRequest): Promise<number>;
  /** 403 unless the actor may act on this organisation (its own, or its district's). */
  assertOrganisation(organisationId: number): Promise<void>;
  /** 403 unless a parent acts on its own data. */
  assertParent(parentId: number): void;
}

export interface UseCaseOptions {
  /** The named permission the actor needs (null: the body decides, e.g. a parent-or-operator action). */
  permission: Permission | null;
  /** Audit entries carry the request id when the caller passes it. */
  requestId?: string | undefined;
}

/**
 * Constraint name → the domain's error. A capability registers the constraints its writes may
 * violate (a race two requests can lose) once, beside its use cases; the wrapper maps them for
 * every use case, so no body catches a constraint of its own.
 */
const constraintErrors = new Map<string, () => AppError>();

export function mapConstraint(constraint: string, error: () => AppError): void {
  constraintErrors.set(constraint, error);
}

const INTEGRITY = new Set(['23505', '23P01', '23503', '23514']);

/** The domain's error for a database constraint violation, or null when it is not one we know. */
export function constraintError(e: unknown): AppError | null {
  const err = e as { code?: string; constraint?: string };
  if (!err || typeof err.code !== 'string' || !INTEGRITY.has(err.code) || !err.constraint) return null;
  const make = constraintErrors.get(err.constraint);
  return make ? make() : null;
}

export async function useCase<T>(deps: AppDeps, actor: Actor, options: UseCaseOptions, body: (u: UseCaseScope) => Promise<T>): Promise<T> {
  if (options.permission) assertCan(actor, options.permission);
  const policy = await deps.city.getPolicy();
  const calendar = await deps.city.getCalendar();
  const now = deps.clock.now();
  try {
    return await deps.database.db.transaction().execute((trx) =>
      body({
        trx,
        deps,
        actor,
        policy,
        calendar,
        now,
        audit: (entries) => audit(trx, deps.clock, actor, entries, options.requestId),
        sms: (req) => enqueueSms(trx, deps.clock, req),
        assertOrganisation: (organisationId) => assertOrganisationInScope(trx, actor, organisationId),
        assertParent: (parentId) => assertParent(actor, parentId),
      }),
    );
  } catch (e) {
    throw constraintError(e) ?? e;
  }
}

/**
 * The department's decision on one waiting request (a phone change, a hand-over): approve, or reject
 * with a required reason. The request is locked; one no longer in its `open` state is refused with
 * `closed`. The body writes the decision with the request row, the moment (`at`) and the trimmed reason.
 */
export async function decideRequest<T extends 'phone_changes' | 'handover_requests'>(
  deps: AppDeps,
  actor: Actor,
  r: { permission: Permission; table: T; id: number; open: string; closed: string; requestId?: string | undefined },
  d: { approve: boolean; reason?: string | undefined },
  body: (u: UseCaseScope & { row: Row<T>; at: Date; reason: string | null }) => Promise<void>,
): Promise<void> {
  assertCan(actor, r.permission);
  const reason = d.reason?.trim() || null;
  if (!d.approve && !reason) throw new AppError('reason_required', 400, 'referral.error.reason_required');
  await useCase(deps, actor, { permission: r.permission, requestId: r.requestId }, async (u) => {
    const row = (await (u.trx as Kysely<any>).selectFrom(r.table).selectAll().where('id', '=', r.id).forUpdate().executeTakeFirst()) as Row<T> | undefined;
    if (!row) throw notFound();
    if ((row as { status: string }).status !== r.open) throw new AppError(r.closed, 409, 'parents.phone.closed');
    await body({ ...u, row, at: toDate(u.now), reason });
  });
}
