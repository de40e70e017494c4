import { z } from 'zod';
import type { RoutePlugin } from '../route-plugin.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { assertCan } from '../auth/permissions.ts';
import { AppError, isUserError } from '../errors.ts';
import type { CalendarDayKind } from '../db/schema.ts';
import { almatyDate } from '../clock.ts';
import { t, type MessageKey } from '../web/i18n/index.ts';
import { pageContext, sendPage } from '../web/context.ts';
import { doneUrl as done, formAction } from '../web/staff-pages.ts';
import { staffCan } from '../workspaces/staff-scope.ts';
import { checkedYears, getDay, listYear, markYearChecked, parseYear, previewDay, setDay } from './service.ts';
import * as P from './pages.tsx';
import { hide, langQ, langQuery } from '../api/schema.ts';

const kind = z.enum(['holiday', 'day_off', 'working']);
const dayView = z.object({ day: z.string(), kind, nameKk: z.string(), nameRu: z.string(), nameEn: z.string() });
const error = z.object({ error: z.string(), message: z.string() });
const refusals = { 400: error, 401: error, 403: error, 409: error };
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
 * The department's pages: /staff/calendar (the year), /staff/calendar/preview (what a change would
 * move), /staff/calendar/apply (the change, with or without moving the deadlines).
 */
export const calendarRoutes: RoutePlugin = (r, deps) => {
  const ctxOf = (req: FastifyRequest, reply: FastifyReply) => pageContext(req, reply, deps);
  const tr = (req: FastifyRequest, k: MessageKey, p?: Record<string, string | number>) => t(req.lang, k, p);

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
          ...refusals,
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
          ...refusals,
        },
      },
    },
    async (req) => {
      assertCan(req.actor, 'calendar.edit');
      return previewDay(deps, req.actor, { day: req.params.day, kind: req.body.kind });
    },
  );

  r.post(
    '/api/calendar/years/:year/checked',
    {
      schema: {
        tags: ['calendar'],
        summary: "Mark a year's working-day calendar as checked (deadlines falling in it are computed from then on); audited",
        description: 'Deadlines after the last checked year are refused (calendar_not_checked). Only the year after the last checked one may be marked; marking a checked year again changes nothing.',
        security: [{ session: [] }],
        params: z.object({ year: z.string() }),
        body: z.object({ note: z.string().trim().max(500).optional() }).optional(),
        response: {
          200: z.object({ years: z.array(z.object({ year: z.number(), checkedAt: z.string(), checkedBy: z.string().nullable(), note: z.string() })) }),
          400: error,
          401: error,
          403: error,
        },
      },
    },
    async (req) => {
      assertCan(req.actor, 'calendar.edit');
      const years = await markYearChecked(deps, req.actor, { year: req.params.year, note: req.body?.note });
      return { years: years.map((y) => ({ ...y, checkedAt: y.checkedAt.toISOString() })) };
    },
  );

  // ================================ the department's pages ================================

  const dayForm = z.object({
    day: z.string().max(20).default(''),
    kind: z.enum(['plain', 'holiday', 'day_off', 'working']).default('holiday'),
    nameKk: z.string().max(200).default(''),
    nameRu: z.string().max(200).default(''),
    nameEn: z.string().max(200).default(''),
    reason: z.string().max(1000).default(''),
    move: z.string().optional(),
  });
  /** The year a page shows after a refused form: the form's (2000–2100), else this year. */
  const shownYear = (y: number | null) => (y !== null && y >= 2000 && y <= 2100 ? y : almatyDate(deps.clock.now()).year);
  const kindOf = (k: P.DayForm['kind']): CalendarDayKind | null => (k === 'plain' ? null : k);

  async function calendarPage(req: FastifyRequest, reply: FastifyReply, year: number, form: P.DayForm, flash: P.Flash = {}, status = 200): Promise<FastifyReply> {
    const cal = await listYear(deps.database.db, year);
    const years = await checkedYears(deps.database.db);
    return sendPage(reply, P.calendarPage(ctxOf(req, reply), { cal, form, years, ...flash }), status);
  }

  r.get(
    '/staff/calendar',
    {
      schema: {
        ...hide,
        querystring: z.object({
          year: z.string().max(10).optional(),
          day: z.string().max(20).optional(),
          saved: z.string().max(20).optional(),
          moved: z.coerce.number().int().optional(),
          kept: z.coerce.number().int().optional(),
          checked: z.string().max(10).optional(),
          ...langQ,
        }),
      },
    },
    async (req, reply) => {
      if (!staffCan(req, reply, 'calendar.edit')) return reply;
      const today = almatyDate(deps.clock.now());
      const year = req.query.year ? parseYear(req.query.year) : today.year;
      let form: P.DayForm = { day: today.toString(), kind: 'holiday', nameKk: '', nameRu: '', nameEn: '', reason: '' };
      if (req.query.day && /^\d{4}-\d{2}-\d{2}$/.test(req.query.day)) {
        const row = await getDay(deps.database.db, req.query.day);
        form = row
          ? { day: req.query.day, kind: row.kind, nameKk: row.nameKk, nameRu: row.nameRu, nameEn: row.nameEn, reason: '' }
          : { ...form, day: req.query.day, kind: new Date(`${req.query.day}T00:00:00Z`).getUTCDay() % 6 === 0 ? 'working' : 'holiday' };
      }
      const notice = req.query.saved
        ? tr(req, 'dept.cal.saved', { day: req.query.saved, moved: req.query.moved ?? 0, kept: req.query.kept ?? 0 })
        : req.query.checked && /^\d{4}$/.test(req.query.checked)
          ? tr(req, 'dept.cal.years.marked', { year: req.query.checked })
          : null;
      return calendarPage(req, reply, year, form, { notice });
    },
  );

  r.post('/staff/calendar/years', { schema: { ...hide, body: z.object({ year: z.string().max(10).default(''), note: z.string().max(500).default('') }), querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'calendar.edit')) return reply;
    const shown = shownYear(/^\d{4}$/.test(req.body.year) ? Number(req.body.year) : null);
    return formAction(
      req,
      reply,
      async () => {
        await markYearChecked(deps, req.actor, { year: req.body.year, note: req.body.note });
        return done(req, '/staff/calendar', { year: req.body.year, checked: req.body.year });
      },
      async (error) => {
        const cal = await listYear(deps.database.db, shown);
        const today = almatyDate(deps.clock.now()).toString();
        return P.calendarPage(ctxOf(req, reply), { cal, form: { day: today, kind: 'holiday', nameKk: '', nameRu: '', nameEn: '', reason: '' }, years: await checkedYears(deps.database.db), error });
      },
    );
  });

  r.post('/staff/calendar/preview', { schema: { ...hide, body: dayForm, querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'calendar.edit')) return reply;
    const f: P.DayForm = { day: req.body.day, kind: req.body.kind, nameKk: req.body.nameKk, nameRu: req.body.nameRu, nameEn: req.body.nameEn, reason: req.body.reason };
    const year = shownYear(/^\d{4}/.test(f.day) ? Number(f.day.slice(0, 4)) : null);
    try {
      if (!f.reason.trim()) throw new AppError('reason_required', 400, 'dept.error.reason_required');
      const p = await previewDay(deps, req.actor, { day: f.day, kind: kindOf(f.kind) });
      return sendPage(reply, P.calendarConfirmPage(ctxOf(req, reply), { form: { ...f, day: p.day }, currentKind: p.currentKind, wouldMove: p.wouldMove, today: almatyDate(deps.clock.now()).toString() }));
    } catch (e) {
      if (!isUserError(e)) throw e;
      return calendarPage(req, reply, year, f, { error: t(req.lang, e.messageKey, e.params) }, e.status);
    }
  });

  r.post('/staff/calendar/apply', { schema: { ...hide, body: dayForm, querystring: langQuery } }, async (req, reply) => {
    if (!staffCan(req, reply, 'calendar.edit')) return reply;
    const f: P.DayForm = { day: req.body.day, kind: req.body.kind, nameKk: req.body.nameKk, nameRu: req.body.nameRu, nameEn: req.body.nameEn, reason: req.body.reason };
    const year = shownYear(/^\d{4}/.test(f.day) ? Number(f.day.slice(0, 4)) : null);
    return formAction(
      req,
      reply,
      async () => {
        if (!f.reason.trim()) throw new AppError('reason_required', 400, 'dept.error.reason_required');
        const res = await setDay(deps, req.actor, {
          day: f.day,
          kind: kindOf(f.kind),
          ...(f.nameKk.trim() ? { nameKk: f.nameKk } : {}),
          ...(f.nameRu.trim() ? { nameRu: f.nameRu } : {}),
          ...(f.nameEn.trim() ? { nameEn: f.nameEn } : {}),
          reason: f.reason,
          moveDeadlines: req.body.move === '1',
        });
        return done(req, '/staff/calendar', { year: f.day.slice(0, 4), saved: f.day, moved: res.moved.length, kept: res.wouldMove.length });
      },
      async (error) => {
        const cal = await listYear(deps.database.db, year);
        return P.calendarPage(ctxOf(req, reply), { cal, form: f, error });
      },
    );
  });
};
