import type { RoutePlugin } from './route-plugin.ts';
import { healthRoutes } from './api/health.ts';
import { referralRoutes } from './referrals/routes.ts';
import { placesRoutes } from './places/routes.ts';
import { authRoutes } from './auth/routes.ts';
import { webRoutes } from './web/routes.ts';
import { calendarRoutes } from './calendar/routes.ts';
import { applicationRoutes } from './applications/routes.ts';
import { demoRoutes } from './demo/routes.ts';
import { parentSignInRoutes } from './auth/parent-routes.ts';
import { cabinetRoutes } from './workspaces/cabinet/routes.ts';
import { parentApplicationRoutes } from './applications/parent-routes.ts';
import { parentReferralRoutes } from './referrals/parent-routes.ts';
import { phoneChangeRoutes } from './phone-changes/routes.ts';
import { handoverRoutes } from './handover/routes.ts';
import { uploadRoutes } from './uploads/routes.ts';
import { demoSmsRoutes } from './demo/sms-routes.ts';
import { mailRoutes } from './mail/routes.ts';
import { referralStaffRoutes } from './referrals/staff-routes.ts';
import { groupsRoutes } from './places/groups-routes.ts';
import { verifyRoutes } from './contracts/routes.ts';
import { smsRoutes } from './sms/routes.ts';
import { distributionRoutes } from './distribution/routes.ts';
import { reportRoutes } from './reports/routes.ts';
import { firstApplyRoutes } from './first-application/routes.ts';
import { staffAccountRoutes } from './staff-accounts/routes.ts';
import { settingsRoutes } from './settings/routes.ts';
import { queueImportRoutes } from './queue-import/routes.ts';
import { organisationRoutes } from './organisations/routes.ts';
import { privilegeRoutes } from './privileges/routes.ts';
import { extensionRoutes } from './extensions/routes.ts';
import { correctionRoutes } from './corrections/routes.ts';
import { auditRoutes } from './audit/routes.ts';
import { placementRoutes } from './placements/routes.ts';
import { refreshRoutes } from './refresh/routes.ts';
import { seasonRoutes } from './season/routes.ts';
import { paymentRoutes } from './payments/routes.ts';
import { attendanceRoutes } from './attendance/routes.ts';
import { transferRoutes } from './transfers/routes.ts';
import { exchangeRoutes } from './exchanges/routes.ts';
import { placementsImportRoutes } from './placements/import-routes.ts';
import { voucherRoutes } from './vouchers/routes.ts';
import { voucherPageRoutes } from './vouchers/page-routes.ts';
import { contractTemplateRoutes } from './contract-templates/routes.ts';


/** Every feature's routes, in registration order (one import and one entry per feature). */
import { vaccinationRoutes } from './vaccinations/routes.ts';
import { voucherChoiceRoutes } from './voucher-choice/routes.ts';
import { waitingListRoutes } from './waiting-lists/routes.ts';
import { voucherRefusalRoutes } from './voucher-refusals/routes.ts';
export const routePlugins: RoutePlugin[] = [
  healthRoutes,
  authRoutes,
  webRoutes,
  calendarRoutes,
  applicationRoutes,
  demoRoutes,
  referralRoutes,
  placesRoutes,
  parentSignInRoutes,
  cabinetRoutes,
  parentApplicationRoutes,
  parentReferralRoutes,
  phoneChangeRoutes,
  handoverRoutes,
  uploadRoutes,
  demoSmsRoutes,
  smsRoutes,
  distributionRoutes,
  groupsRoutes,
  referralStaffRoutes,
  verifyRoutes,
  reportRoutes,
  firstApplyRoutes,
  staffAccountRoutes,
  settingsRoutes,
  queueImportRoutes,
  organisationRoutes,
  privilegeRoutes,
  extensionRoutes,
  correctionRoutes,
  auditRoutes,
  placementRoutes,
  mailRoutes,
  refreshRoutes,
  seasonRoutes,
  paymentRoutes,
  attendanceRoutes,
  transferRoutes,
  exchangeRoutes,
  placementsImportRoutes,
  vaccinationRoutes,
  voucherChoiceRoutes,
  waitingListRoutes,
  voucherRoutes,
  voucherRefusalRoutes,
  voucherPageRoutes,
  contractTemplateRoutes,
];
