import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { FixedClock } from '../../src/clock.ts';
import { loadConfig } from '../../src/config.ts';
import { CityState, type AppDeps } from '../../src/context.ts';
import { buildApp } from '../../src/app.ts';
import { createSession } from '../../src/auth/sessions.ts';
import { testDatabase } from '../helpers/db.ts';
import { application, district, validIin, freePlaces, group, organisation, staff } from '../helpers/fixtures.ts';
import * as Referrals from '../../src/referrals/service.ts';
import { hashPassword } from '../../src/auth/password.ts';
import { publishHead } from '../../src/audit/seal.ts';
import { FOUR_DOCUMENTS } from '../helpers/referral-setup.ts';
import { encodeVoucherInputs, protocolHash } from '../../src/vouchers/run.ts';

/**
 * The permission matrix: EVERY route the app registers (collected with an onRoute hook, not a list
 * kept by hand) is called by ten callers — anonymous, a parent with their own data, another parent,
 * kindergarten staff of organisation A and of B, a teacher of A (its own groups only), a city-wide department operator, an operator limited
 * to B's district, an administrator, the finance department (voucher payments) — and each
 * answer must be the expected one: allowed (the request passed the permission and scope checks) or
 * refused (401 / 403 / 404, or a page's redirect to a sign-in page). The ids in the URLs are A's and
 * the first parent's data, so "B reads A's referral" and "a parent reads another parent's
 * application" are rows of the matrix. A route with no row fails the test: add one for every new route.
 *
 * Allowed is "not refused and not a server error": an allowed caller may still get 400 or 409
 * (a state the action does not fit) — the matrix is about who may call, the feature tests about
 * what the call does. Bodies are valid for the route's schema, so a refusal cannot hide behind a
 * validation error (schemas are checked before the handler's permission check).
 */

const START = '2026-03-02T05:00:00Z'; // Mon 2 Mar 2026 10:00 Almaty

/** opB: an operator the administrator limited to organisation B's district (see Row.districtA). */
/** teacherA: a teacher of organisation A with A's group assigned (not groupA2). */
type Caller = 'anon' | 'parent' | 'parentB' | 'kgA' | 'kgB' | 'teacherA' | 'operator' | 'opB' | 'admin' | 'finance';
const CALLERS: Caller[] = ['anon', 'parent', 'parentB', 'kgA', 'kgB', 'teacherA', 'operator', 'opB', 'admin', 'finance'];
const ALL = CALLERS;
const STAFF: Caller[] = ['kgA', 'kgB', 'teacherA', 'operator', 'admin', 'finance'];
/** A's kindergarten, its teacher (its groups only) and the operator: reading groups and children. */
const KG_A_T_OP: Caller[] = ['kgA', 'teacherA', 'operator'];
/** A's kindergarten and its teacher (its groups only): marking attendance. */
const KG_A_T: Caller[] = ['kgA', 'teacherA'];
const PARENT: Caller[] = ['parent'];
/** Both parents: a route on the caller's own data (no id of another parent's in it). */
const PARENTS: Caller[] = ['parent', 'parentB'];
const OP: Caller[] = ['operator'];
const OP_ADM: Caller[] = ['operator', 'admin'];
const KG_A: Caller[] = ['kgA'];
const KG_A_OP: Caller[] = ['kgA', 'operator'];
const KG_BOTH_OP: Caller[] = ['kgA', 'kgB', 'operator'];
const ADM: Caller[] = ['admin'];
/** Voucher payments: the department and the finance department (city-wide); kindergartens their own months. */
const OP_FIN: Caller[] = ['operator', 'finance'];
const PAY_READ: Caller[] = ['kgA', 'kgB', 'operator', 'finance'];
const PAY_A: Caller[] = ['kgA', 'operator', 'finance'];

interface Fx {
  voucherP: number;
  voucherRun: number;
  numberP: string;
  orgA: number;
  orgB: number;
  districtA: number;
  districtB: number;
  groupA: number;
  groupB: number;
  appP: number;
  appQ: number;
  parentP: number;
  parentQ: number;
  iinP: string;
  iinQ: string;
  refA: number;
  /** A referral of the parent's other child, registered at A: its contract exists. */
  refC: number;
  stopQ: number;
  claimP: number;
  /** A claim of Q's application, which concerns district A only (a district-B operator is refused it). */
  claimQ: number;
  uploadP: number;
  /** A privilege claim's document (the department's own document route shows only these and extensions'). */
  uploadPriv: number;
  phoneChangeP: number;
  handoverP: number;
  smsDead: number;
  staffA: number;
  /** An account the administrator's routes act on (disable, reset, role). */
  spareStaff: number;
  operatorId: number;
  adminId: number;
  /** The parent's third child, placed in A's group (its application enrolled): the leaving routes act on it. */
  appPlaced: number;
  placementA: number;
  /** A parent's dispute of a day of placementA (open at A). */
  disputeA: number;
  /** The child of placementA, and the medical certificate of its illness on 3 February. */
  childPlaced: number;
  certificateA: number;
  /** Two checked queue imports (a header-only file): one to import, one to discard. */
  importA: number;
  /** Two checked enrolled children imports (a header-only file). */
  placedImportA: number;
  placedImportB: number;
  /** A next-season group declared by A for a season that has turned already (its removal is a 409, never a 404). */
  declarationA: number;
  importB: number;
  /** P's waiting-list entry at A and the offer it holds (vouchers 2 of 2). */
  entryP: number;
  offerP: number;
  /** P's application with a confirmed voucher (the choice and the waiting lists act on it). */
  appV: number;
  /** An exchange of places proposed by a third family (its child placed in B's group) to P's placed child (placementA). */
  exchangeP: number;
  /** The third family's application number (P proposing to it again is a 409, never a 404). */
  numberR: string;
}

interface Row {
  /** Callers that pass the permission (and scope) check; every other caller must be refused. */
  allow: readonly Caller[];
  /** The URL to call (default: the route's path, which then has no parameters). */
  url?: (f: Fx) => string;
  /** The request body (JSON), valid for the route's schema. */
  body?: (f: Fx, caller: Caller) => unknown;
  /** Sent as multipart/form-data (the forms that carry a file); bodyless otherwise. */
  multipart?: true;
  /**
   * The route acts on organisation A's data: an operator limited to another district (opB) is
   * refused. Without it opB is expected to fare as the city-wide operator does (unless listed in allow).
   */
  districtA?: true;
  /** Each call gets a new session (the route ends the caller's session: sign-out). */
  freshSession?: true;
}

/** The expected permissions, one row per route ("METHOD /path" as registered). Keep it sorted. */
const EXPECTED: Record<string, Row> = {
  'GET /': { allow: ALL },
  'GET /api/admin/settings': { allow: ADM },
  'GET /api/admin/staff': { allow: ADM },
  'GET /api/calendar/:year': { allow: ALL, url: () => '/api/calendar/2026' },
  'GET /api/demo/clock': { allow: ALL },
  'GET /api/department/expired-referrals': { allow: OP },
  'GET /api/department/extensions': { allow: OP },
  'GET /api/department/organisations': { allow: OP },
  'GET /api/department/organisations/:id': { districtA: true, allow: OP, url: (f) => `/api/department/organisations/${f.orgA}` },
  'GET /api/department/organisations/:id/close-preview': { districtA: true, allow: OP, url: (f) => `/api/department/organisations/${f.orgA}/close-preview` },
  'GET /api/waiting-offers/:id/replay': { allow: OP, url: (f) => `/api/waiting-offers/${f.offerP}/replay` },
  'GET /api/department/privilege-claims/confirmed': { allow: OP },
  'GET /api/distribution/runs': { allow: ALL },
  'GET /api/distribution/runs/:id': { allow: ALL, url: () => '/api/distribution/runs/1' },
  'GET /api/distribution/runs/:id/protocol.csv': { allow: ALL, url: () => '/api/distribution/runs/1/protocol.csv' },
  'GET /api/distribution/runs/:id/replay': { allow: ALL, url: () => '/api/distribution/runs/1/replay' },
  'GET /api/distribution/why': { allow: ALL, url: () => '/api/distribution/why?number=T-1' },
  'GET /api/handover-requests': { allow: OP },
  'GET /api/health': { allow: ALL },
  'GET /api/live': { allow: ALL },
  'GET /api/openapi.json': { allow: ALL },
  'GET /api/audit/heads': { allow: ALL },
  'GET /api/audit/head/:date': { allow: ALL, url: () => '/api/audit/head/2026-03-02' },
  'GET /api/parent/applications': { allow: PARENTS },
  'GET /api/parent/applications/:id': { allow: PARENT, url: (f) => `/api/parent/applications/${f.appP}` },
  'GET /api/phone-changes': { allow: OP },
  'GET /api/privilege-claims': { allow: OP },
  'GET /api/queue': { allow: ALL, url: () => '/api/queue?number=T-1' },
  'GET /api/ready': { allow: ALL },
  'GET /api/referrals': { allow: [...PARENTS, ...KG_BOTH_OP] },
  'GET /api/referrals/:id': { districtA: true, allow: [...KG_A_OP, 'parent'], url: (f) => `/api/referrals/${f.refA}` },
  'GET /api/referrals/lapsed': { allow: KG_BOTH_OP },
  'GET /api/reports/:name': { allow: OP, url: () => '/api/reports/queue' },
  // the documents refused under vouchers: the department only (a district-limited operator sees its district's rows)
  'GET /api/voucher-refusals': { allow: OP },
  'GET /api/session': { allow: ALL },
  'GET /api/sms/dead': { allow: OP_ADM },
  'GET /api/staff/groups': { districtA: true, allow: KG_A_T_OP, url: (f) => `/api/staff/groups?organisationId=${f.orgA}` },
  'GET /api/staff/referrals': { districtA: true, allow: KG_A_OP, url: (f) => `/api/staff/referrals?organisationId=${f.orgA}` },
  'GET /api/stop-list': { allow: OP },
  'GET /api/uploads/:id': { allow: OP, url: (f) => `/api/uploads/${f.uploadP}` },
  'GET /apply': { allow: ALL },
  'GET /apply/handover': { allow: ALL },
  'GET /cabinet': { allow: PARENTS },
  'GET /cabinet/applications/:id': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appP}` },
  'GET /cabinet/applications/:id/choose': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appV}/choose` },
  'GET /cabinet/applications/:id/leave': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appPlaced}/leave` },
  'GET /cabinet/applications/:id/exchange': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appPlaced}/exchange` },
  'GET /cabinet/applications/:id/transfer': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appPlaced}/transfer` },
  'GET /cabinet/apply': { allow: PARENTS },
  'GET /cabinet/handover': { allow: PARENTS },
  'GET /cabinet/login': { allow: ALL },
  'GET /cabinet/otp': { allow: ALL },
  'GET /cabinet/password': { allow: PARENTS },
  'GET /cabinet/phone': { allow: PARENTS },
  'GET /cabinet/phone/:id': { allow: PARENT, url: (f) => `/cabinet/phone/${f.phoneChangeP}` },
  'GET /cabinet/referrals/:id': { allow: PARENT, url: (f) => `/cabinet/referrals/${f.refA}` },
  'GET /demo/sms': { allow: ALL },
  'GET /demo/mail': { allow: ALL },
  'GET /distribution': { allow: ALL },
  'GET /distribution/runs/:id': { allow: ALL, url: () => '/distribution/runs/1' },
  'GET /organisations': { allow: ALL },
  'GET /organisations/:id': { allow: ALL, url: (f) => `/organisations/${f.orgA}` },
  'GET /queue': { allow: ALL },
  'GET /staff': { allow: STAFF },
  'GET /staff/attendance': { districtA: true, allow: KG_A_T_OP, url: (f) => `/staff/attendance?org=${f.orgA}&day=2026-03-02` },
  'GET /staff/attendance/month': { districtA: true, allow: KG_A_T_OP, url: (f) => `/staff/attendance/month?org=${f.orgA}&month=2026-03` },
  'POST /staff/attendance/month': { districtA: true, allow: KG_A, url: (f) => `/staff/attendance/month?org=${f.orgA}&month=2026-03` },
  'GET /staff/attendance/disputes': { allow: OP },
  'POST /staff/attendance/disputes/:id': { districtA: true, allow: KG_A_OP, url: (f) => `/staff/attendance/disputes/${f.disputeA}`, body: () => ({ decision: 'keep', text: 'matrix' }) },
  'GET /cabinet/applications/:id/attendance': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appPlaced}/attendance?month=2026-02` },
  'POST /cabinet/applications/:id/attendance/confirm': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appPlaced}/attendance/confirm`, body: (f) => ({ placementId: String(f.placementA), month: '2026-02-01' }) },
  'POST /cabinet/applications/:id/attendance/dispute': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appPlaced}/attendance/dispute`, body: (f) => ({ placementId: String(f.placementA), month: '2026-02-01', day: '2026-02-04', comment: 'matrix' }) },
  'POST /cabinet/applications/:id/attendance/disputes/:disputeId/escalate': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appPlaced}/attendance/disputes/${f.disputeA}/escalate`, body: () => ({}) },
  'GET /staff/attendance/report': { districtA: true, allow: KG_A_OP, url: (f) => `/staff/attendance/report?org=${f.orgA}&month=2026-03` },
  'GET /staff/attendance/groups/:id': { districtA: true, allow: KG_A_T_OP, url: (f) => `/staff/attendance/groups/${f.groupA}?day=2026-03-02` },
  'POST /staff/attendance/groups/:id/days/:day': { districtA: true, allow: KG_A_T, url: (f) => `/staff/attendance/groups/${f.groupA}/days/2026-03-02`, body: () => ({ version: '0' }) },
  'POST /staff/attendance/groups/:id/days/:day/close': { districtA: true, allow: KG_A_T, url: (f) => `/staff/attendance/groups/${f.groupA}/days/2026-03-02/close`, body: () => ({ version: '0', closeReason: 'repairs' }) },
  'GET /api/attendance/groups/:id/days/:day': { districtA: true, allow: KG_A_T_OP, url: (f) => `/api/attendance/groups/${f.groupA}/days/2026-03-02` },
  'PUT /api/attendance/groups/:id/days/:day': { districtA: true, allow: KG_A_T, url: (f) => `/api/attendance/groups/${f.groupA}/days/2026-03-02`, body: () => ({ version: 0 }) },
  // medical certificates of illness days: the kindergarten (its teacher: its groups) and the parent upload; the department reads too
  'GET /staff/attendance/groups/:id/children/:childId/certificate': { districtA: true, allow: KG_A_T_OP, url: (f) => `/staff/attendance/groups/${f.groupA}/children/${f.childPlaced}/certificate?day=2026-02-03` },
  'POST /staff/attendance/groups/:id/children/:childId/certificate': { districtA: true, allow: KG_A_T, url: (f) => `/staff/attendance/groups/${f.groupA}/children/${f.childPlaced}/certificate`, multipart: true },
  'GET /staff/attendance/certificates/:id': { districtA: true, allow: KG_A_T_OP, url: (f) => `/staff/attendance/certificates/${f.certificateA}` },
  'GET /cabinet/applications/:id/attendance/certificate': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appPlaced}/attendance/certificate?placementId=${f.placementA}&day=2026-02-03` },
  'POST /cabinet/applications/:id/attendance/certificate': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appPlaced}/attendance/certificate?placementId=${f.placementA}`, multipart: true },
  'GET /cabinet/applications/:id/attendance/certificates/:uploadId': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appPlaced}/attendance/certificates/${f.certificateA}` },
  'GET /staff/password': { allow: STAFF },
  'GET /staff/admin/contract-templates': { allow: ADM },
  'GET /staff/admin/contract-templates/:version': { allow: ADM, url: () => '/staff/admin/contract-templates/1' },
  'GET /staff/admin/contract-templates/:version/preview.pdf': { allow: ADM, url: () => '/staff/admin/contract-templates/1/preview.pdf?doc=ru' },
  'GET /staff/admin/settings': { allow: ADM },
  'GET /staff/admin/users': { allow: ADM },
  'GET /staff/admin/users/:id': { allow: ADM, url: (f) => `/staff/admin/users/${f.spareStaff}` },
  'GET /staff/calendar': { allow: OP },
  'GET /staff/corrections': { allow: OP },
  'GET /staff/distribution': { allow: OP },
  'GET /staff/extensions': { allow: OP },
  'GET /staff/groups': { districtA: true, allow: KG_A_T_OP, url: (f) => `/staff/groups?org=${f.orgA}` },
  'GET /staff/handover-requests': { allow: OP },
  'GET /staff/import': { allow: OP },
  'GET /staff/import/:id': { allow: OP, url: (f) => `/staff/import/${f.importA}` },
  'GET /staff/import/:id/rejects.csv': { allow: OP, url: (f) => `/staff/import/${f.importA}/rejects.csv` },
  'GET /staff/placements-import': { allow: OP },
  'GET /staff/placements-import/:id': { allow: OP, url: (f) => `/staff/placements-import/${f.placedImportA}` },
  'GET /staff/placements-import/:id/rejects.csv': { allow: OP, url: (f) => `/staff/placements-import/${f.placedImportA}/rejects.csv` },
  'GET /staff/login': { allow: ALL },
  'GET /staff/organisations': { allow: OP },
  'GET /staff/organisations/:id': { districtA: true, allow: OP, url: (f) => `/staff/organisations/${f.orgA}` },
  'GET /staff/organisations/:id/groups/:gid': { districtA: true, allow: OP, url: (f) => `/staff/organisations/${f.orgA}/groups/${f.groupA}` },
  'GET /staff/organisations/new': { allow: OP },
  'GET /staff/phone-changes': { allow: OP },
  'GET /staff/privileges': { allow: OP },
  'GET /staff/payments': { allow: PAY_READ, url: () => '/staff/payments?month=2026-03' },
  'GET /staff/payments/:org/:month': { districtA: true, allow: PAY_A, url: (f) => `/staff/payments/${f.orgA}/2026-03` },
  'GET /staff/payments/:org/:month/statement.:format': { districtA: true, allow: PAY_A, url: (f) => `/staff/payments/${f.orgA}/2026-03/statement.pdf` },
  'GET /staff/payments/districts.csv': { allow: OP_FIN, url: () => '/staff/payments/districts.csv?month=2026-03' },
  'GET /staff/payments/rates': { allow: PAY_READ },
  'GET /staff/placements': { districtA: true, allow: KG_A_T_OP, url: (f) => `/staff/placements?org=${f.orgA}` },
  'GET /staff/season': { districtA: true, allow: KG_A_OP, url: (f) => `/staff/season?org=${f.orgA}` },
  // exchanges of places: both kindergartens see their own, the department all (a district's operator: its district's)
  'GET /staff/exchanges': { districtA: true, allow: KG_A_OP, url: (f) => `/staff/exchanges?org=${f.orgA}` },
  'POST /staff/exchanges/:id/decide': { districtA: true, allow: OP, url: (f) => `/staff/exchanges/${f.exchangeP}/decide`, body: () => ({ decision: 'refuse', reason: 'matrix' }) },
  'GET /staff/transfers': { districtA: true, allow: KG_A_T_OP, url: (f) => `/staff/transfers?org=${f.orgA}` },
  // vaccination flags are health data: A's kindergarten and the department only (not a teacher, not B)
  'GET /staff/voucher-register': { allow: OP },
  // a kindergarten's waiting list: its own staff and the department (a private kindergarten's staff see only their own)
  'GET /staff/waiting-list': { districtA: true, allow: KG_A_OP, url: (f) => `/staff/waiting-list?org=${f.orgA}` },
  'GET /staff/vaccinations': { districtA: true, allow: KG_A_OP, url: (f) => `/staff/vaccinations?org=${f.orgA}` },
  'GET /staff/referrals': { districtA: true, allow: KG_A_OP, url: (f) => `/staff/referrals?org=${f.orgA}` },
  'GET /staff/referrals/:id': { districtA: true, allow: KG_A_OP, url: (f) => `/staff/referrals/${f.refA}` },
  'GET /staff/referrals/:id/contract': { districtA: true, allow: KG_A_OP, url: (f) => `/staff/referrals/${f.refC}/contract` },
  'GET /staff/referrals/:id/contract.pdf': { districtA: true, allow: KG_A_OP, url: (f) => `/staff/referrals/${f.refC}/contract.pdf` },
  'GET /staff/referrals/:id/print': { districtA: true, allow: KG_A_OP, url: (f) => `/staff/referrals/${f.refA}/print` },
  'GET /staff/reports': { allow: OP },
  'GET /staff/reports/:name': { allow: OP, url: () => '/staff/reports/queue' },
  'GET /staff/reports/:name/csv': { allow: OP, url: () => '/staff/reports/queue/csv' },
  'GET /staff/reports/:name/xlsx': { allow: OP, url: () => '/staff/reports/queue/xlsx' },
  'GET /staff/voucher-refusals': { allow: OP },
  'GET /staff/sms': { allow: OP_ADM },
  'GET /staff/uploads/:id': { allow: OP, url: (f) => `/staff/uploads/${f.uploadPriv}` },
  'GET /static/app.css': { allow: ALL },
  'GET /static/favicon.svg': { allow: ALL },
  'GET /favicon.ico': { allow: ALL },
  'GET /verify/payment/:token': { allow: ALL, url: () => '/verify/payment/AAAAAAAAAAAAAAAAAAAAAAAA' },
  'GET /verify/:kind/:token': { allow: ALL, url: () => '/verify/referral/AAAAAAAAAAAAAAAAAAAAAAAA' },
  'POST /api/admin/staff': { allow: ADM, body: (f) => ({ username: 'matrix.new', fullName: 'Matrix New', role: 'kindergarten', organisationId: f.orgA }) },
  'POST /api/admin/staff/:id/disable': { allow: ADM, url: (f) => `/api/admin/staff/${f.spareStaff}/disable`, body: () => ({ reason: 'matrix' }) },
  'POST /api/admin/staff/:id/enable': { allow: ADM, url: (f) => `/api/admin/staff/${f.spareStaff}/enable`, body: () => ({ reason: 'matrix' }) },
  'POST /api/admin/staff/:id/reset': { allow: ADM, url: (f) => `/api/admin/staff/${f.spareStaff}/reset`, body: () => ({ reason: 'matrix' }) },
  'POST /api/applications': { allow: ['parent', 'parentB', 'operator'], body: (f, c) => newApplication(f, c) },
  'POST /api/applications/:id/withdraw': { allow: [...PARENT, ...OP], url: (f) => `/api/applications/${f.appP}/withdraw`, body: () => ({ reason: 'other' }) },
  'POST /api/calendar/years/:year/checked': { allow: OP, url: () => '/api/calendar/years/2027/checked', body: () => ({ note: 'matrix' }) },
  'POST /api/calendar/days/:day/preview': { allow: OP, url: () => '/api/calendar/days/2026-12-30/preview', body: () => ({ kind: 'holiday' }) },
  'POST /api/demo/clock': { allow: OP_ADM, body: () => ({ advance: '1h' }) },
  'POST /api/department/groups/:id/close': { districtA: true, allow: OP, url: (f) => `/api/department/groups/${f.groupA}/close`, body: () => ({ reason: 'matrix' }) },
  'POST /api/department/organisations': { districtA: true, allow: OP, body: (f) => deptOrg(f) },
  'POST /api/department/organisations/:id/close': { districtA: true, allow: OP, url: (f) => `/api/department/organisations/${f.orgA}/close`, body: () => ({ reason: 'matrix' }) },
  'POST /api/department/organisations/:id/groups': { districtA: true, allow: OP, url: (f) => `/api/department/organisations/${f.orgA}/groups`, body: () => DEPT_GROUP },
  'POST /api/distribution/preview': { allow: OP },
  'POST /api/distribution/runs': { allow: OP, body: () => ({ idempotencyKey: 'matrix-run' }) },
  'POST /api/groups/:id/free-places': { districtA: true, allow: KG_A_OP, url: (f) => `/api/groups/${f.groupA}/free-places`, body: () => ({ count: 1 }) },
  'POST /api/groups/:id/free-places/withdraw': { districtA: true, allow: KG_A_OP, url: (f) => `/api/groups/${f.groupA}/free-places/withdraw`, body: () => ({ count: 1 }) },
  'POST /api/handover-requests/:id/decide': { allow: OP, url: (f) => `/api/handover-requests/${f.handoverP}/decide`, body: () => ({ approve: false, reason: 'matrix' }) },
  'POST /api/parent/uploads': { allow: PARENTS, multipart: true },
  'POST /api/parent/login': { allow: ALL, body: () => ({ iin: '900315400001', password: 'wrong-password' }) },
  'POST /api/parent/otp': { allow: ALL, body: () => ({ iin: '900315400001' }) },
  'POST /api/parent/otp/verify': { allow: ALL, body: () => ({ iin: '900315400001', code: '000000' }) },
  'POST /api/phone-changes/:id/decide': { allow: OP, url: (f) => `/api/phone-changes/${f.phoneChangeP}/decide`, body: () => ({ approve: false, reason: 'matrix' }) },
  'POST /api/privilege-claims/:id/decision': { districtA: true, allow: OP, url: (f) => `/api/privilege-claims/${f.claimQ}/decision`, body: () => ({ confirm: false, reason: 'matrix' }) },
  'POST /api/privilege-claims/:id/false': { allow: OP, url: (f) => `/api/privilege-claims/${f.claimP}/false`, body: () => ({ reason: 'matrix' }) },
  'POST /api/privilege-claims/:id/withdraw': { allow: [...PARENT, ...OP], url: (f) => `/api/privilege-claims/${f.claimP}/withdraw` },
  'POST /api/referrals': { districtA: true, allow: OP, body: (f) => ({ applicationId: f.appQ, groupId: f.groupA }) },
  'POST /api/referrals/:id/cancel': { districtA: true, allow: OP, url: (f) => `/api/referrals/${f.refA}/cancel`, body: () => ({ kind: 'other', reason: 'matrix' }) },
  'POST /api/referrals/:id/contract/conclude': { allow: KG_A, url: (f) => `/api/referrals/${f.refA}/contract/conclude`, body: () => ({}) },
  'POST /api/referrals/:id/contract/extra-period': { allow: KG_A, url: (f) => `/api/referrals/${f.refA}/contract/extra-period` },
  'POST /api/referrals/:id/contract/refuse': { allow: KG_A, url: (f) => `/api/referrals/${f.refA}/contract/refuse`, body: () => ({ reason: 'parent_declined' }) },
  'POST /api/referrals/:id/documents': { allow: KG_A, url: (f) => `/api/referrals/${f.refA}/documents`, body: () => ({ documents: ['health_passport'] }) },
  'POST /api/referrals/:id/extend': { allow: PARENT, url: (f) => `/api/referrals/${f.refA}/extend`, body: () => ({ reason: 'hospital', documentRef: 'matrix' }) },
  'POST /api/referrals/:id/extension/revoke': { districtA: true, allow: OP, url: (f) => `/api/referrals/${f.refA}/extension/revoke`, body: () => ({ reason: 'matrix' }) },
  'POST /api/referrals/:id/register': { allow: KG_A, url: (f) => `/api/referrals/${f.refA}/register`, body: () => ({ documents: {} }) },
  'POST /api/referrals/:id/restore': { districtA: true, allow: OP, url: (f) => `/api/referrals/${f.refA}/restore`, body: () => ({ reason: 'matrix' }) },
  'POST /api/referrals/:id/return': { districtA: true, allow: [...PARENT, ...OP], url: (f) => `/api/referrals/${f.refA}/return`, body: () => ({ choice: 'stay' }) },
  'POST /api/session/logout': { allow: ALL, freshSession: true },
  'POST /api/sms/:id/retry': { allow: OP_ADM, url: (f) => `/api/sms/${f.smsDead}/retry` },
  'POST /api/staff/login': { allow: ALL, body: () => ({ username: LOGIN_USER, password: LOGIN_PASSWORD }) },
  'POST /api/stop-list/:id/lift': { districtA: true, allow: OP, url: (f) => `/api/stop-list/${f.stopQ}/lift`, body: () => ({ reason: 'matrix' }) },
  'POST /apply': { allow: ALL, multipart: true },
  'POST /apply/handover': { allow: ALL, multipart: true },
  'POST /apply/handover/resend': { allow: ALL, body: () => ({ iin: '900315400001' }) },
  'POST /apply/handover/verify': { allow: ALL, body: () => ({ iin: '900315400001', code: '000000' }) },
  // the yearly refresh's confirmation: the parent's own application, or an operator at the department's desk
  'POST /api/parent/applications/:id/confirm': { allow: ['parent', 'operator', 'opB'], url: (f) => `/api/parent/applications/${f.appP}/confirm` },
  'POST /apply/resend': { allow: ALL, body: () => ({ iin: '900315400001' }) },
  'POST /apply/verify': { allow: ALL, body: () => ({ iin: '900315400001', code: '000000' }) },
  'POST /cabinet/applications/:id/choose': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appV}/choose`, body: () => ({ freePlaceId: 999999 }) },
  'POST /cabinet/applications/:id/waiting': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appV}/waiting`, body: (f) => ({ organisationId: f.orgA }) },
  'POST /cabinet/offers/:id/accept': { allow: PARENT, url: (f) => `/cabinet/offers/${f.offerP}/accept` },
  'POST /cabinet/offers/:id/decline': { allow: PARENT, url: (f) => `/cabinet/offers/${f.offerP}/decline` },
  'POST /cabinet/waiting/:id/leave': { allow: PARENT, url: (f) => `/cabinet/waiting/${f.entryP}/leave` },
  'POST /cabinet/applications/:id/leave': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appPlaced}/leave`, body: () => ({ lastDay: '2020-01-01', reason: 'moved_away' }) },
  'POST /cabinet/applications/:id/leave/cancel': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appPlaced}/leave/cancel` },
  'POST /cabinet/applications/:id/confirm': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appP}/confirm` },
  'POST /cabinet/applications/:id/transfer': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appPlaced}/transfer`, body: (f) => ({ pref1: String(f.orgB) }) },
  // an exchange of places: only a party's parent (P is the family asked; Q is a stranger to it)
  'POST /cabinet/applications/:id/exchange': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appPlaced}/exchange`, body: (f) => ({ number: f.numberR }) },
  'POST /cabinet/exchanges/:id/code': { allow: PARENT, url: (f) => `/cabinet/exchanges/${f.exchangeP}/code` },
  'POST /cabinet/exchanges/:id/confirm': { allow: PARENT, url: (f) => `/cabinet/exchanges/${f.exchangeP}/confirm`, body: () => ({ code: '000000' }) },
  'POST /cabinet/exchanges/:id/cancel': { allow: PARENT, url: (f) => `/cabinet/exchanges/${f.exchangeP}/cancel` },
  'POST /cabinet/applications/:id/transfer/withdraw': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appPlaced}/transfer/withdraw` },
  'POST /cabinet/applications/:id/edit': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appP}/edit`, body: () => ({}) },
  'POST /cabinet/applications/:id/withdraw': { allow: PARENT, url: (f) => `/cabinet/applications/${f.appP}/withdraw`, body: () => ({}) },
  'POST /cabinet/apply': { allow: PARENTS, multipart: true },
  'POST /cabinet/claims/:id/withdraw': { allow: PARENT, url: (f) => `/cabinet/claims/${f.claimP}/withdraw` },
  'POST /cabinet/handover': { allow: PARENTS, multipart: true },
  'POST /cabinet/login': { allow: ALL, body: () => ({ iin: '900315400001', password: 'wrong-password' }) },
  'POST /cabinet/otp': { allow: ALL, body: () => ({ iin: '900315400001' }) },
  'POST /cabinet/otp/verify': { allow: ALL, body: () => ({ iin: '900315400001', code: '000000' }) },
  'POST /cabinet/password': { allow: PARENTS, body: () => ({ password: 'short', confirm: 'other' }) },
  'POST /cabinet/phone': { allow: PARENTS, multipart: true },
  'POST /cabinet/phone/:id/confirm': { allow: PARENT, url: (f) => `/cabinet/phone/${f.phoneChangeP}/confirm`, body: () => ({ newCode: '000000' }) },
  'POST /cabinet/referrals/:id/extend': { allow: PARENT, url: (f) => `/cabinet/referrals/${f.refA}/extend`, multipart: true },
  'POST /cabinet/referrals/:id/return': { allow: PARENT, url: (f) => `/cabinet/referrals/${f.refA}/return`, body: () => ({}) },
  'GET /cabinet/vouchers/:id': { allow: PARENT, url: (f) => `/cabinet/vouchers/${f.voucherP}` },
  'POST /cabinet/vouchers/:id/confirm': { allow: PARENT, url: (f) => `/cabinet/vouchers/${f.voucherP}/confirm`, body: () => ({}) },
  'POST /cabinet/vouchers/:id/refuse': { allow: PARENT, url: (f) => `/cabinet/vouchers/${f.voucherP}/refuse`, body: () => ({}) },
  'POST /cabinet/vouchers/:id/restore': { allow: PARENT, url: (f) => `/cabinet/vouchers/${f.voucherP}/restore`, body: () => ({}) },
  'GET /api/vouchers/budget': { allow: OP },
  'PUT /api/vouchers/budget': { allow: OP, body: () => ({ birthYear: 2022, month: '2026-03', count: 5, reason: 'matrix' }) },
  'GET /api/vouchers/runs': { allow: OP },
  'POST /api/vouchers/runs/preview': { allow: OP },
  'POST /api/vouchers/runs': { allow: OP, body: () => ({ idempotencyKey: 'matrix-voucher-run' }) },
  'GET /api/vouchers/runs/:id/replay': { allow: OP, url: (f) => `/api/vouchers/runs/${f.voucherRun}/replay` },
  'GET /api/vouchers/runs/:id/protocol': { allow: ALL, url: (f) => `/api/vouchers/runs/${f.voucherRun}/protocol` },
  'GET /api/vouchers/why': { allow: ALL, url: (f) => `/api/vouchers/why?number=${f.numberP}` },
  'GET /api/admin/regime': { allow: ADM },
  'PUT /api/admin/regime': { allow: ADM, body: () => ({ regime: 'voucher', effectiveFrom: '2026-04-01', reason: 'matrix' }) },
  'GET /staff/vouchers/budget': { allow: OP },
  'POST /staff/vouchers/budget': { allow: OP, body: () => ({ birthYear: '2022', month: '2026-03', count: '5', reason: 'matrix' }) },
  'GET /staff/vouchers/runs': { allow: OP },
  'POST /staff/vouchers/runs': { allow: OP, body: () => ({ idempotencyKey: 'matrix-voucher-page', inputsHash: '0'.repeat(64) }) },
  'GET /vouchers/runs/:id': { allow: ALL, url: (f) => `/vouchers/runs/${f.voucherRun}` },
  'GET /staff/admin/regime': { allow: ADM },
  'POST /staff/admin/regime': { allow: ADM, body: () => ({ regime: 'voucher', effectiveFrom: '2026-04-01', reason: 'matrix' }) },
  'POST /logout': { allow: ALL, freshSession: true },
  'POST /staff/admin/contract-templates': { allow: ADM, body: () => ({ from: '1' }) },
  'POST /staff/admin/contract-templates/:version': { allow: ADM, url: () => '/staff/admin/contract-templates/1', body: () => ({ body_kk: 'Шарт\n\nМәтін.', body_ru: 'Договор\n\nТекст.' }) },
  'POST /staff/admin/contract-templates/:version/preview': { allow: ADM, url: () => '/staff/admin/contract-templates/1/preview', body: () => ({ body_kk: 'Шарт\n\nМәтін.', body_ru: 'Договор\n\nТекст.' }) },
  'POST /staff/admin/contract-templates/:version/publish': { allow: ADM, url: () => '/staff/admin/contract-templates/1/publish', body: () => ({ reason: 'matrix' }) },
  'POST /staff/admin/settings': { allow: ADM, body: () => ({ key: 'phoneCheckQueueNumber', value: '70', reason: 'matrix' }) },
  'POST /staff/admin/users': { allow: ADM, body: (f) => ({ username: 'matrix.page', fullName: 'Matrix Page', role: 'kindergarten', organisationId: String(f.orgA) }) },
  'POST /staff/admin/users/:id/disable': { allow: ADM, url: (f) => `/staff/admin/users/${f.spareStaff}/disable`, body: () => ({ reason: 'matrix' }) },
  'POST /staff/admin/users/:id/enable': { allow: ADM, url: (f) => `/staff/admin/users/${f.spareStaff}/enable`, body: () => ({ reason: 'matrix' }) },
  'POST /staff/admin/users/:id/reset': { allow: ADM, url: (f) => `/staff/admin/users/${f.spareStaff}/reset`, body: () => ({ reason: 'matrix' }) },
  'POST /staff/admin/users/:id/groups': { allow: ADM, url: (f) => `/staff/admin/users/${f.spareStaff}/groups`, body: () => ({ reason: 'matrix' }) },
  'POST /staff/admin/users/:id/role': { allow: ADM, url: (f) => `/staff/admin/users/${f.spareStaff}/role`, body: (f) => ({ role: 'kindergarten', organisationId: String(f.orgB), reason: 'matrix' }) },
  'POST /staff/calendar/apply': { allow: OP, body: () => ({ day: '2026-12-30', kind: 'plain', reason: 'matrix' }) },
  'POST /staff/calendar/years': { allow: OP, body: () => ({ year: '2027', note: 'matrix' }) },
  'POST /staff/calendar/preview': { allow: OP, body: () => ({ day: '2026-12-30', kind: 'holiday', reason: 'matrix' }) },
  'POST /staff/corrections/referrals/:id/restore': { districtA: true, allow: OP, url: (f) => `/staff/corrections/referrals/${f.refA}/restore`, body: () => ({ reason: 'matrix' }) },
  'POST /staff/corrections/stop-list/:id/lift': { districtA: true, allow: OP, url: (f) => `/staff/corrections/stop-list/${f.stopQ}/lift`, body: () => ({ reason: 'matrix' }) },
  'POST /staff/demo-clock': { allow: OP_ADM },
  'POST /staff/password': { allow: STAFF, body: () => ({ current: 'not the password', next: 'a new long password', confirm: 'a new long password' }) },
  'POST /api/staff/password': { allow: STAFF, body: () => ({ currentPassword: 'not the password', newPassword: 'a new long password' }) },
  'POST /staff/distribution': { allow: OP, body: () => ({ idempotencyKey: 'matrix-page-run', inputsHash: '0'.repeat(64) }) },
  'POST /staff/extensions/:id/revoke': { districtA: true, allow: OP, url: (f) => `/staff/extensions/${f.refA}/revoke`, body: () => ({ reason: 'matrix' }) },
  'POST /staff/groups/:id/places': { districtA: true, allow: KG_A_OP, url: (f) => `/staff/groups/${f.groupA}/places`, body: () => ({ action: 'publish', count: 1 }) },
  'POST /staff/handover-requests/:id/decide': { allow: OP, url: (f) => `/staff/handover-requests/${f.handoverP}/decide`, body: () => ({ decision: 'reject', reason: 'matrix' }) },
  'POST /staff/import': { allow: OP, multipart: true },
  'POST /staff/import/:id/commit': { allow: OP, url: (f) => `/staff/import/${f.importA}/commit` },
  'POST /staff/import/:id/discard': { allow: OP, url: (f) => `/staff/import/${f.importB}/discard` },
  'POST /staff/placements-import': { allow: OP, multipart: true },
  'POST /staff/placements-import/:id/commit': { allow: OP, url: (f) => `/staff/placements-import/${f.placedImportA}/commit` },
  'POST /staff/placements-import/:id/discard': { allow: OP, url: (f) => `/staff/placements-import/${f.placedImportB}/discard` },
  'POST /staff/login': { allow: ALL, body: () => ({ username: LOGIN_USER, password: LOGIN_PASSWORD }) },
  'POST /staff/organisations': { districtA: true, allow: OP, body: (f) => deptOrg(f) },
  'POST /staff/organisations/:id': { districtA: true, allow: OP, url: (f) => `/staff/organisations/${f.orgA}`, body: (f) => ({ ...deptOrg(f), languages: ['kk', 'ru'] }) },
  'POST /staff/organisations/:id/close': { districtA: true, allow: OP, url: (f) => `/staff/organisations/${f.orgA}/close`, body: () => ({ reason: 'matrix' }) },
  'POST /staff/organisations/:id/groups': { districtA: true, allow: OP, url: (f) => `/staff/organisations/${f.orgA}/groups`, body: () => DEPT_GROUP },
  'POST /staff/organisations/:id/groups/:gid': { districtA: true, allow: OP, url: (f) => `/staff/organisations/${f.orgA}/groups/${f.groupA}`, body: () => DEPT_GROUP },
  'POST /staff/organisations/:id/groups/:gid/close': { districtA: true, allow: OP, url: (f) => `/staff/organisations/${f.orgA}/groups/${f.groupA}/close`, body: () => ({ reason: 'matrix' }) },
  'POST /staff/phone-changes/:id/decide': { allow: OP, url: (f) => `/staff/phone-changes/${f.phoneChangeP}/decide`, body: () => ({ decision: 'reject', reason: 'matrix' }) },
  'POST /staff/privileges/:id/decide': { districtA: true, allow: OP, url: (f) => `/staff/privileges/${f.claimQ}/decide`, body: () => ({ decision: 'confirm' }) },
  'POST /staff/referrals/:id/birth-date-check': { districtA: true, allow: KG_A_OP, url: (f) => `/staff/referrals/${f.refA}/birth-date-check`, body: () => ({ reason: 'matrix' }) },
  'POST /staff/referrals/:id/conclude': { allow: KG_A, url: (f) => `/staff/referrals/${f.refA}/conclude`, body: () => ({ confirm: 'yes' }) },
  'POST /staff/referrals/:id/extra-period': { allow: KG_A, url: (f) => `/staff/referrals/${f.refA}/extra-period`, body: () => ({}) },
  'POST /staff/referrals/:id/refuse': { allow: KG_A, url: (f) => `/staff/referrals/${f.refA}/refuse`, body: () => ({ reason: 'parent_declined' }) },
  'POST /staff/payments/compute': { allow: OP_FIN, body: () => ({ month: '2026-03' }) },
  'POST /staff/payments/:org/:month/approve': { districtA: true, allow: OP_FIN, url: (f) => `/staff/payments/${f.orgA}/2026-02/approve`, body: () => ({ total: '0' }) },
  'POST /staff/payments/rates': { allow: OP, body: () => ({ ageFrom: '1', ageTo: '2', groupType: 'general', ownership: 'state', monthly: '50000', coefficient: '1', validFrom: '2027-01', reason: 'matrix' }) },
  'POST /staff/placements/:id/leave': { districtA: true, allow: KG_A_OP, url: (f) => `/staff/placements/${f.placementA}/leave`, body: () => ({ lastDay: '2020-01-01', reason: 'moved_away' }) },
  'POST /staff/placements/:id/undo': { districtA: true, allow: OP, url: (f) => `/staff/placements/${f.placementA}/undo`, body: () => ({ reason: 'matrix' }) },
  'POST /staff/season/groups': { districtA: true, allow: KG_A_OP, url: (f) => `/staff/season/groups?org=${f.orgA}`, body: () => ({ name: 'M', birthYear: 2025, ageName: 'nursery', language: 'kk', type: 'general', capacity: 10 }) },
  'POST /staff/season/groups/:id/delete': { districtA: true, allow: KG_A_OP, url: (f) => `/staff/season/groups/${f.declarationA}/delete` },
  // the turn is the whole city's: a district's operator is refused it
  'POST /staff/season/turn': { districtA: true, allow: OP, body: () => ({ year: 2026 }) },
  'POST /staff/season/turn/undo': { districtA: true, allow: OP, body: () => ({ year: 2026, reason: 'matrix' }) },
  'POST /staff/voucher-register/:id': { districtA: true, allow: OP, url: (f) => `/staff/voucher-register/${f.orgA}`, body: () => ({ takesVouchers: '1', licence: 'KZ-A', joinedOn: '2025-06-01' }) },
  'POST /staff/vaccinations/:id': { districtA: true, allow: KG_A, url: (f) => `/staff/vaccinations/${f.placementA}`, body: () => ({ vaccinated: 'yes' }) },
  'POST /staff/referrals/:id/register': { allow: KG_A, url: (f) => `/staff/referrals/${f.refA}/register`, body: () => ({}) },
  'POST /staff/referrals/:id/documents': { allow: KG_A, url: (f) => `/staff/referrals/${f.refA}/documents`, body: () => ({ documents: 'health_passport' }) },
  'POST /staff/sms/:id/retry': { allow: OP_ADM, url: (f) => `/staff/sms/${f.smsDead}/retry` },
  'PUT /api/admin/settings/:key': { allow: ADM, url: () => '/api/admin/settings/phoneCheckQueueNumber', body: () => ({ value: 60, reason: 'matrix' }) },
  'PUT /api/admin/staff/:id/role': { allow: ADM, url: (f) => `/api/admin/staff/${f.spareStaff}/role`, body: () => ({ role: 'operator', reason: 'matrix' }) },
  'PUT /api/calendar/days/:day': { allow: OP, url: () => '/api/calendar/days/2026-12-31', body: () => ({ kind: null, nameKk: 'x', nameRu: 'x', nameEn: 'x', reason: 'matrix' }) },
  'PUT /api/department/groups/:id': { districtA: true, allow: OP, url: (f) => `/api/department/groups/${f.groupA}`, body: () => DEPT_GROUP },
  'PUT /api/department/organisations/:id': { districtA: true, allow: OP, url: (f) => `/api/department/organisations/${f.orgA}`, body: (f) => ({ ...deptOrg(f), languages: ['kk', 'ru'] }) },
  'PUT /api/parent/password': { allow: PARENTS, body: () => ({ password: 'short', confirm: 'other' }) },
};

/** The department's organisation and group bodies (valid for both the JSON API and the form pages). */
const deptOrg = (f: Fx) => ({
  kind: 'kindergarten',
  ownership: 'state',
  districtId: f.districtA,
  nameKk: 'Матрица балабақшасы',
  nameRu: 'Детский сад «Матрица»',
  addressKk: 'Абай даңғылы, 1',
  addressRu: 'проспект Абая, 1',
  languages: ['kk'],
});
const DEPT_GROUP = { name: 'Матрица', birthYear: 2022, language: 'kk', type: 'general', capacity: 25 };

const LOGIN_USER = 'matrix.login';
const LOGIN_PASSWORD = 'matrix-password-1';
const CHILD_IIN = validIin('2022-07-01');
const PARENT_IIN = validIin('1991-01-20', 'female');

/** A new child's application; a parent applies with their own IIN (another's is refused: parent_mismatch). */
function newApplication(f: Fx, c: Caller) {
  const parentIin = c === 'parent' ? f.iinP : c === 'parentB' ? f.iinQ : PARENT_IIN;
  return {
    child: { iin: CHILD_IIN, lastName: 'Сейітов', firstName: 'Арман', birthDate: '2022-07-01' },
    parent: { iin: parentIin, lastName: 'Сейітова', firstName: 'Дана', phone1: '+77015550101', lang: 'kk' },
    orgKind: 'kindergarten',
    preferences: [f.orgA],
    language: 'kk',
    desiredStart: '2026-09-01',
    specialNeeds: false,
  };
}

const BOUNDARY = 'matrixboundary';
const MULTIPART = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="note"\r\n\r\nmatrix\r\n--${BOUNDARY}--\r\n`;
/** Anonymous callers carry the double-submit CSRF pair, so a refusal is never the CSRF check's. */
const ANON_CSRF = 'm'.repeat(43);

type Outcome = 'allowed' | 'refused';

/** Listed in allow; or opB where the city-wide operator is allowed and the route is not about A's data. */
function allowed(row: Row, c: Caller): boolean {
  return row.allow.includes(c) || (c === 'opB' && row.allow.includes('operator') && row.districtA !== true);
}

function outcomeOf(status: number, location: string | undefined): Outcome {
  if (status === 401 || status === 403 || status === 404) return 'refused';
  if (status >= 300 && status < 400 && location && /\/(staff|cabinet)\/login\b/.test(location)) return 'refused';
  return 'allowed';
}

async function fixtures(deps: AppDeps): Promise<Fx> {
  const db = deps.database.db;
  const districtA = await district(db, 'Алмалы');
  await publishHead(db, deps.clock, 'daily'); // GET /api/audit/head/2026-03-02
  const districtB = await district(db, 'Бостандық');
  const orgA = await organisation(db, { districtId: districtA });
  const orgB = await organisation(db, { districtId: districtB });
  const groupA = await group(db, orgA, { birthYear: 2022, language: 'kk' });
  const groupB = await group(db, orgB, { birthYear: 2022, language: 'kk' });
  await freePlaces(db, groupA, 3);
  const p = await application(db, { birthDate: '2022-05-10', language: 'kk', preferences: [orgA, orgB] });
  const q = await application(db, { birthDate: '2022-06-10', language: 'kk', preferences: [orgA] });
  const operatorId = await staff(db, 'operator');
  const adminId = await staff(db, 'admin');
  const staffA = await staff(db, 'kindergarten', orgA);
  const ref = await Referrals.issueReferral(deps, { kind: 'staff', id: operatorId, role: 'operator' }, { applicationId: p.applicationId, groupId: groupA });
  const T = new Date('2026-03-01T00:00:00Z');
  // the parent's second child, registered at A: the contract pages have a contract to show
  const p2 = await application(db, { birthDate: '2022-02-10', language: 'kk', preferences: [orgA] });
  await db.updateTable('applications').set({ parent_id: p.parentId }).where('id', '=', p2.applicationId).execute();
  const refC = await Referrals.issueReferral(deps, { kind: 'staff', id: operatorId, role: 'operator' }, { applicationId: p2.applicationId, groupId: groupA });
  await Referrals.registerReferral(deps, { kind: 'staff', id: staffA, role: 'kindergarten', organisationId: orgA }, refC.id, FOUR_DOCUMENTS);
  // the parent's third child, placed in A's group
  const p3 = await application(db, { birthDate: '2022-03-10', language: 'kk', preferences: [orgA] });
  await db.updateTable('applications').set({ parent_id: p.parentId, status: 'enrolled', left_reason: 'enrolled', left_at: T }).where('id', '=', p3.applicationId).execute();
  const child3 = await db.selectFrom('applications').select('child_id').where('id', '=', p3.applicationId).executeTakeFirstOrThrow();
  const placementA = await db
    .insertInto('placements')
    .values({ child_id: child3.child_id, application_id: p3.applicationId, group_id: groupA, organisation_id: orgA, starts_on: '2026-02-02', created_at: T })
    .returning('id')
    .executeTakeFirstOrThrow();
  // a third family's child placed in B's group proposes an exchange of places to P's placed child
  const r3 = await application(db, { birthDate: '2022-04-01', language: 'kk' });
  await db.updateTable('applications').set({ status: 'enrolled', left_reason: 'enrolled', left_at: T }).where('id', '=', r3.applicationId).execute();
  const placementR = await db
    .insertInto('placements')
    .values({ child_id: r3.childId, application_id: r3.applicationId, group_id: groupB, organisation_id: orgB, starts_on: '2026-02-02', created_at: T })
    .returning('id')
    .executeTakeFirstOrThrow();
  const exchangeP = await db
    .insertInto('exchanges')
    .values({ status: 'proposed', placement_a: placementR.id, placement_b: placementA.id, parent_a: r3.parentId, parent_b: p.parentId, organisation_a: orgB, organisation_b: orgA, proposed_at: T })
    .returning('id')
    .executeTakeFirstOrThrow();
  const disputeA = await db
    .insertInto('attendance_disputes')
    .values({ child_id: child3.child_id, placement_id: placementA.id, organisation_id: orgA, day: '2026-02-03', parent_id: p.parentId, comment: 'matrix', created_at: T })
    .returning('id')
    .executeTakeFirstOrThrow();
  const pdf = Buffer.from('%PDF-1.4 matrix');
  const certificateA = await db
    .insertInto('uploads')
    .values({ parent_id: null, purpose: 'medical_certificate', content_type: 'application/pdf', size: pdf.length, sha256: 'x'.repeat(64), data: pdf, created_at: T })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('attendance_absences')
    .values({ child_id: child3.child_id, day: '2026-02-03', placement_id: placementA.id, group_id: groupA, organisation_id: orgA, reason: 'illness', note: null, certificate_upload_id: certificateA.id, marked_at: T })
    .execute();
  const stop = await db
    .insertInto('stop_list')
    .values({ application_id: q.applicationId, referral_id: null, reason: 'referral_expired', starts_on: '2026-02-25', ends_on: '2026-03-06', created_at: T })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('staff_users')
    .values({ username: LOGIN_USER, full_name: 'Matrix Login', password_hash: await hashPassword(LOGIN_PASSWORD), role: 'kindergarten', organisation_id: orgB, created_at: T })
    .execute();
  const claim = await db
    .insertInto('privilege_claims')
    .values({ application_id: p.applicationId, category: 'large_family' as never, document_ref: 'doc', claimed_at: T })
    .returning('id')
    .executeTakeFirstOrThrow();
  const claimQ = await db
    .insertInto('privilege_claims')
    .values({ application_id: q.applicationId, category: 'orphan' as never, document_ref: 'paper', claimed_at: T })
    .returning('id')
    .executeTakeFirstOrThrow();
  const png = Buffer.from('89504e470d0a1a0a', 'hex');
  const upload = await db
    .insertInto('uploads')
    .values({ parent_id: p.parentId, purpose: 'handover', content_type: 'image/png', size: png.length, sha256: 'x'.repeat(64), data: png, created_at: T })
    .returning('id')
    .executeTakeFirstOrThrow();
  const uploadPriv = await db
    .insertInto('uploads')
    .values({ parent_id: p.parentId, purpose: 'privilege', content_type: 'image/png', size: png.length, sha256: 'x'.repeat(64), data: png, created_at: T })
    .returning('id')
    .executeTakeFirstOrThrow();
  const phone = await db
    .insertInto('phone_changes')
    .values({ parent_id: p.parentId, slot: 1, old_phone: null, new_phone: '+77017770000', proof: 'id_card', status: 'review', id_card_upload_id: upload.id, created_at: T })
    .returning('id')
    .executeTakeFirstOrThrow();
  const handover = await db
    .insertInto('handover_requests')
    .values({ parent_id: p.parentId, child_iin: '220510500001', application_id: p.applicationId, upload_id: upload.id, created_at: T })
    .returning('id')
    .executeTakeFirstOrThrow();
  const sms = await db
    .insertInto('sms_outbox')
    .values({ parent_id: p.parentId, phone: '+77010000000', lang: 'kk', template: 'test', body: 'test', status: 'dead', next_attempt_at: T, created_at: T } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  const queueImport = (kind: 'queue' | 'placements' = 'queue') =>
    db
      .insertInto('queue_imports')
      .values({
        kind,
        file_name: 'matrix.csv',
        file_sha256: '0'.repeat(64),
        file_size: 0,
        file_data: gzipSync(
          Buffer.from(
            kind === 'queue'
              ? 'child_iin,child_last_name,child_first_name,child_birth_date,parent_iin,parent_last_name,parent_first_name,parent_phone,applied_at,language,preferences\r\n'
              : 'child_iin,child_last_name,child_first_name,child_birth_date,parent_iin,parent_last_name,parent_first_name,parent_phone,organisation_id,group_id,start_date\r\n',
          ),
        ),
        rows_total: 0,
        rows_valid: 0,
        rows_rejected: 0,
        rejects: '[]',
        checked_at: T,
        checked_by: operatorId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
  // a voucher of the parent's application and a (voucher-less) voucher run, for the voucher routes
  const voucherP = await db
    .insertInto('vouchers')
    .values({ number: 'V2026-000001', application_id: p.applicationId, birth_year: 2022, month: '2026-03-01', status: 'issued', issued_at: T, consent_deadline: '2026-03-04', use_working_days: 5, extra_working_days: 5, restore_days: 28 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const head = await publishHead(db, deps.clock, 'distribution');
  const vin = encodeVoucherInputs({ month: '2026-03-01', quotas: [], runDate: '2026-03-02', ratio: 3, places: [], read: [] });
  const voucherRun = await db
    .insertInto('voucher_runs')
    .values({
      idempotency_key: 'matrix-fixture',
      trigger: 'cli',
      actor_kind: 'system',
      actor_id: null,
      run_date: '2026-03-02',
      month: '2026-03-01',
      started_at: T,
      committed_at: T,
      ratio: 3,
      places: 0,
      vouchers: 0,
      applications_read: 0,
      inputs: vin.gz,
      protocol: gzipSync(Buffer.from('[]')),
      inputs_hash: vin.hash,
      result_hash: protocolHash([]),
      audit_head_seq: head.seq,
      audit_head_hash: head.hash,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const importA = (await queueImport()).id;
  const importB = (await queueImport()).id;
  const placedImportA = (await queueImport('placements')).id;
  const placedImportB = (await queueImport('placements')).id;
  await db.insertInto('season_turns').values({ year: 2025, turn_date: '2025-09-01', ran_at: T, ran_by: operatorId, effect: '{}' }).execute();
  const declarationA = await db
    .insertInto('season_groups')
    .values({ organisation_id: orgA, season: 2025, name: 'Next', age_name: 'nursery', birth_year: 2024, birth_year_max: 2024, language: 'kk', type: 'general', capacity: 10, created_at: T })
    .returning('id')
    .executeTakeFirstOrThrow();
  // vouchers 2 of 2: A takes vouchers; P's application has a confirmed voucher, waits on A's list and holds an offer there
  await db.updateTable('organisations').set({ takes_vouchers: true, voucher_licence: 'KZ-A', vouchers_joined_on: '2025-06-01' }).where('id', '=', orgA).execute();
  // (another application of P's: the one above holds an issued voucher, and an application has one outstanding at most)
  const pv = await application(db, { birthDate: '2022-07-01', preferences: [orgA] });
  await db.updateTable('applications').set({ parent_id: p.parentId }).where('id', '=', pv.applicationId).execute();
  const voucherV = await db
    .insertInto('vouchers')
    .values({ number: 'V-P', application_id: pv.applicationId, birth_year: 2022, month: '2026-03-01', status: 'confirmed', issued_at: T, consent_deadline: '2026-03-04', confirmed_at: T, use_deadline: '2026-08-31', use_working_days: 5, extra_working_days: 5, restore_days: 28 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const entryP = await db.insertInto('waiting_list_entries').values({ voucher_id: voucherV.id, application_id: pv.applicationId, organisation_id: orgA, voucher_issued_at: T, joined_at: T }).returning('id').executeTakeFirstOrThrow();
  const [offerPlace] = await freePlaces(db, groupA, 1);
  const offerP = await db
    .insertInto('waiting_list_offers')
    .values({ entry_id: entryP.id, free_place_id: offerPlace!, offered_at: T, deadline: '2026-08-31', inputs: JSON.stringify({}), inputs_hash: 'x' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return {
    declarationA: declarationA.id,
    placedImportA,
    placedImportB,
    entryP: entryP.id,
    offerP: offerP.id,
    appV: pv.applicationId,
    exchangeP: exchangeP.id,
    numberR: r3.number,
    voucherP: voucherP.id,
    voucherRun: voucherRun.id,
    numberP: p.number,
    appPlaced: p3.applicationId,
    placementA: placementA.id,
    disputeA: disputeA.id,
    childPlaced: child3.child_id,
    certificateA: certificateA.id,
    importA,
    importB,
    orgA,
    orgB,
    districtA,
    districtB,
    groupA,
    groupB,
    appP: p.applicationId,
    appQ: q.applicationId,
    parentP: p.parentId,
    parentQ: q.parentId,
    iinP: (await db.selectFrom('parents').select('iin').where('id', '=', p.parentId).executeTakeFirstOrThrow()).iin,
    iinQ: (await db.selectFrom('parents').select('iin').where('id', '=', q.parentId).executeTakeFirstOrThrow()).iin,
    refA: ref.id,
    refC: refC.id,
    stopQ: stop.id,
    claimP: claim.id,
    claimQ: claimQ.id,
    uploadP: upload.id,
    uploadPriv: uploadPriv.id,
    phoneChangeP: phone.id,
    handoverP: handover.id,
    smsDead: sms.id,
    staffA,
    spareStaff: await staff(db, 'kindergarten', orgB),
    operatorId,
    adminId,
  };
}

test('permission matrix: every route, ten callers, allowed or refused as expected', async () => {
  const routes = new Set<string>();
  const database = await testDatabase();
  const clock = new FixedClock(START);
  const deps: AppDeps = { database, clock, config: { ...loadConfig({}), mode: 'demo', jobs: false }, city: new CityState(database.db, 0) };
  let built: FastifyInstance | undefined;
  try {
    const app = await buildApp(deps, {
      onRoute: (method, url) => {
        if (method !== 'HEAD') routes.add(`${method} ${url}`);
      },
    });
    built = app;
    await app.ready();
    const db = database.db;
    const f = await fixtures(deps);
    const kgB = await staff(db, 'kindergarten', f.orgB);
    const opB = await staff(db, 'operator');
    const teacherA = await staff(db, 'teacher', f.orgA);
    await db.insertInto('staff_groups').values({ staff_id: teacherA, group_id: f.groupA, created_at: new Date(START) }).execute();
    const groupA2 = await group(db, f.orgA, { birthYear: 2021, language: 'kk' });
    await db.updateTable('staff_users').set({ district_id: f.districtB }).where('id', '=', opB).execute();
    const users: Record<Exclude<Caller, 'anon'>, { kind: 'staff' | 'parent'; userId: number }> = {
      parent: { kind: 'parent', userId: f.parentP },
      parentB: { kind: 'parent', userId: f.parentQ },
      kgA: { kind: 'staff', userId: f.staffA },
      kgB: { kind: 'staff', userId: kgB },
      teacherA: { kind: 'staff', userId: teacherA },
      opB: { kind: 'staff', userId: opB },
      finance: { kind: 'staff', userId: await staff(db, 'finance') },
      operator: { kind: 'staff', userId: f.operatorId },
      admin: { kind: 'staff', userId: f.adminId },
    };
    const tokens = new Map<Caller, string>();
    const tokenFor = async (c: Caller, fresh: boolean): Promise<string | null> => {
      if (c === 'anon') return null;
      if (!fresh && tokens.has(c)) return tokens.get(c)!;
      const { token } = await createSession(db, clock, users[c]);
      if (!fresh) tokens.set(c, token);
      return token;
    };

    const missing = [...routes].filter((r) => !(r in EXPECTED)).sort();
    assert.deepEqual(missing, [], `routes with no expected permissions (add a row to EXPECTED): ${missing.join(', ')}`);
    const stale = Object.keys(EXPECTED).filter((k) => !routes.has(k));
    assert.deepEqual(stale, [], `rows for routes that are not registered: ${stale.join(', ')}`);

    // (before the matrix, which changes the data) lists are filtered by the same scope: B's kindergarten and the other parent see none of A's / P's data
    const get = async (c: Caller, u: string) => {
      const res = await app.inject({ url: u, headers: { accept: 'application/json', authorization: `Bearer ${await tokenFor(c, false)}` } });
      assert.equal(res.statusCode, 200, `${u} as ${c}: ${res.body.slice(0, 200)}`);
      return res.body;
    };
    const refNumber = (await db.selectFrom('referrals').select('number').where('id', '=', f.refA).executeTakeFirstOrThrow()).number;
    const appNumber = (await db.selectFrom('applications').select('number').where('id', '=', f.appP).executeTakeFirstOrThrow()).number;
    for (const [c, u] of [
      ['kgB', '/api/staff/referrals'],
      ['kgB', '/api/referrals'],
      ['kgB', '/api/referrals/lapsed'],
      ['opB', '/api/referrals'],
      ['kgB', '/staff/referrals'],
      ['parentB', '/api/referrals'],
      ['parentB', '/api/parent/applications'],
    ] as const) {
      const b = await get(c, u);
      assert.ok(!b.includes(refNumber) && !b.includes(appNumber), `${u} as ${c} shows another's referral or application`);
    }
    // …while A's kindergarten and P see theirs (the filter is not simply empty)
    assert.ok((await get('kgA', '/api/staff/referrals')).includes(refNumber), 'A sees its referral');
    assert.ok((await get('operator', '/api/referrals')).includes(refNumber), 'the city-wide operator sees it');
    assert.ok((await get('parent', '/api/referrals')).includes(refNumber), 'the parent sees their referral');
    // scoped ROWS: an operator limited to district B gets only the rows that concern B from the
    // department's lists (Q's application chose only A: its stop-list entry and privilege claim are A's)
    const appQNumber = (await db.selectFrom('applications').select('number').where('id', '=', f.appQ).executeTakeFirstOrThrow()).number;
    for (const u of ['/api/stop-list', '/api/privilege-claims', '/staff/corrections', '/staff/privileges']) {
      assert.ok(!(await get('opB', u)).includes(appQNumber), `${u} as opB shows district A's row`);
      assert.ok((await get('operator', u)).includes(appQNumber), `${u} as the city-wide operator shows it`);
    }
    assert.ok((await get('opB', '/api/privilege-claims')).includes(appNumber), 'P chose B too: its claim concerns B');
    // a teacher sees its own groups only, and neither the referral inbox nor its JSON
    const teacherGroups = await get('teacherA', '/api/staff/groups');
    assert.ok(teacherGroups.includes(`"id":${f.groupA},`) && !teacherGroups.includes(`"id":${groupA2},`), 'a teacher sees its groups only');
    const groupsB = JSON.parse(await get('kgB', '/api/staff/groups')) as unknown;
    assert.ok(!JSON.stringify(groupsB).includes(`"id":${f.groupA},`), 'B does not see A\'s group');

    const wrong: string[] = [];
    for (const key of [...routes].sort()) {
      const row = EXPECTED[key]!;
      const [method, path] = key.split(' ') as [InjectOptions['method'], string];
      const url = row.url ? row.url(f) : path;
      assert.ok(!/\/:/.test(url), `${key}: the row needs a url with the parameters filled in`);
      // refused callers first: an allowed call may change the data the next callers see
      const order = [...CALLERS].sort((a, b) => Number(allowed(row, a)) - Number(allowed(row, b)));
      for (const c of order) {
        clock.set(START);
        const token = await tokenFor(c, row.freshSession === true);
        const body = row.body?.(f, c);
        const headers: Record<string, string> = { accept: 'application/json' };
        if (token) headers.authorization = `Bearer ${token}`;
        else Object.assign(headers, { cookie: `kezek_csrf=${ANON_CSRF}`, 'x-csrf-token': ANON_CSRF });
        if (row.multipart) headers['content-type'] = `multipart/form-data; boundary=${BOUNDARY}`;
        const res = await app.inject({
          method,
          url,
          headers,
          ...(row.multipart ? { payload: MULTIPART } : body !== undefined ? { payload: body as object } : {}),
        });
        const location = typeof res.headers.location === 'string' ? res.headers.location : undefined;
        const got = outcomeOf(res.statusCode, location);
        const want: Outcome = allowed(row, c) ? 'allowed' : 'refused';
        if (res.statusCode >= 500) wrong.push(`${key} as ${c}: server error ${res.statusCode} ${res.body.slice(0, 200)}`);
        else if (got !== want && !(want === 'allowed' && row.allow === ALL && res.statusCode === 404)) {
          wrong.push(`${key} as ${c}: expected ${want}, got ${res.statusCode}${location ? ` → ${location}` : ''} ${res.body.slice(0, 160)}`);
        }
        if (want === 'refused' && c === 'anon' && got === 'refused' && res.statusCode === 403) wrong.push(`${key} as anon: 403, expected 401 (or a sign-in redirect)`);
      }
    }
    clock.set(START);

    assert.deepEqual(wrong, [], `permission matrix mismatches:\n${wrong.join('\n')}`);
  } finally {
    await built?.close();
    await database.close();
  }
});
