import type { FastifyInstance } from 'fastify';
import type { AppDeps } from './context.ts';
import { healthRoutes } from './api/health.ts';
import { referralRoutes } from './referrals/routes.ts';
import { placesRoutes } from './places/routes.ts';
import { authRoutes } from './auth/routes.ts';
import { webRoutes } from './web/routes.ts';
import { calendarRoutes } from './calendar/routes.ts';
import { applicationRoutes } from './applications/routes.ts';
import { demoRoutes } from './demo/routes.ts';
import { parentRoutes } from './parents/routes.ts';
import { staffRoutes } from './staff/routes.tsx';
import { smsRoutes } from './sms/routes.ts';
import { distributionRoutes } from './distribution/routes.tsx';
import { reportRoutes } from './reports/routes.tsx';
import { firstApplyRoutes } from './parents/first-apply-routes.ts';
import { adminRoutes } from './admin/routes.tsx';
import { reviewRoutes } from './review/routes.tsx';
import { queueImportRoutes } from './queue-import/routes.tsx';
import { departmentRoutes } from './department/routes.tsx';
import { auditRoutes } from './audit/routes.ts';

export type RoutePlugin = (app: FastifyInstance, deps: AppDeps) => Promise<void> | void;

/** Every feature's routes, in registration order (one import and one entry per feature). */
export const routePlugins: RoutePlugin[] = [healthRoutes, authRoutes, webRoutes, calendarRoutes, applicationRoutes, demoRoutes, referralRoutes, placesRoutes, parentRoutes, smsRoutes, distributionRoutes, staffRoutes, reportRoutes, firstApplyRoutes, adminRoutes, reviewRoutes, queueImportRoutes, departmentRoutes, auditRoutes];
