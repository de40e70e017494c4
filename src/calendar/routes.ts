import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { RoutePlugin } from '../routes.ts';
import { assertCan } from '../auth/permissions.ts';
import { listYear, parseYear, previewDay, setDay } from './service.ts';

const kind = z.enum(['holiday', 'day_off', 'working']);
const dayView = z.object({ day: z.string(), kind, nameKk: z.string(), nameRu: z.string(), nameEn: z.string() });
const error = z.object({ error: z.string(), message: z.string() });
const name = z.string().trim().min(1).max(200).optional();
const move = z.object({
  subjectType: z.enum(['referral', 'contract']),
  id: z.number(),
  referralNumber: z.string(),
  deadline: z.string(),
  newDeadline: z.string(),
});

/**
 * GET /api/calendar/:year (public): the year's exceptions and the working days per month.
 * PUT /api/calendar/days/:day (permission calendar.edit): set or clear one day; answers with the day
 * and the outstanding deadlines the change would compute differently (they are not moved).
 */
export const calendarRoutes: RoutePlugin = (app, deps) => {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/calendar/:year',
    {
      schema: {
        tags: ['calendar'],
        summary: "The year's working-day calendar: holidays, moved days off, weekend days made working; working days per month",
        params: z.object({ year: z.string() }),
        response: {
          200: z.object({
            year: z.number(),
            days: z.array(dayView),
            months: z.array(z.object({ month: z.number(), workingDays: z.number() })),
            workingDays: z.number(),
          }),
          400: error,
        },
      },
    },
    async (req) => {
      return listYear(deps.database.db, parseYear(req.params.year));
    },
  );

  r.put(
    '/api/calendar/days/:day',
    {
      schema: {
        tags: ['calendar'],
        summary: 'Set one day of the calendar (kind null: back to the plain Monday–Friday rule)',
        security: [{ session: [] }],
        params: z.object({ day: z.string() }),
        description: 'Deadlines already issued stay as they are unless moveDeadlines is true: then those the change computes differently (and not to a day already over) move in the same transaction, each audited, the parent told by SMS. POST …/preview first to see which would move.',
        body: z.object({ kind: kind.nullable(), nameKk: name, nameRu: name, nameEn: name, reason: z.string().trim().min(1).max(1000), moveDeadlines: z.boolean().optional() }),
        response: {
          200: z.object({
            day: dayView.nullable(),
            previousKind: kind.nullable(),
            wouldMove: z.array(move),
            moved: z.array(move),
          }),
          400: error,
          401: error,
          403: error,
          409: error,
        },
      },
    },
    async (req) => {
      assertCan(req.actor, 'calendar.edit');
      return setDay(deps, req.actor, { day: req.params.day, ...req.body });
    },
  );

  r.post(
    '/api/calendar/days/:day/preview',
    {
      schema: {
        tags: ['calendar'],
        summary: 'What setting one day would do, before it is done: the outstanding deadlines that would be computed differently (nothing is written)',
        security: [{ session: [] }],
        params: z.object({ day: z.string() }),
        body: z.object({ kind: kind.nullable() }),
        response: {
          200: z.object({ day: z.string(), currentKind: kind.nullable(), kind: kind.nullable(), wouldMove: z.array(move) }),
          400: error,
          401: error,
          403: error,
          409: error,
        },
      },
    },
    async (req) => {
      assertCan(req.actor, 'calendar.edit');
      return previewDay(deps, req.actor, { day: req.params.day, kind: req.body.kind });
    },
  );
};
