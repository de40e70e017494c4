import type { AppDeps } from '../context.ts';
import { publishHead, sealAudit } from '../audit/seal.ts';
import { sendDueSms } from '../sms/sender.ts';
import { sendDueMail } from '../mail/sender.ts';
import type { MailProvider } from '../mail/providers.ts';
import type { SmsProvider } from '../sms/providers.ts';
import { headDueToday, JobRunner, type JobLogger, type JobSpec } from './runner.ts';
import { loadSweep } from './sweep.ts';
import { sendPhoneCheckReminders } from '../phone-changes/reminders.ts';
import { pruneAuthAttempts } from '../auth/parent-signin.ts';
import { pruneFirstApplications } from '../first-application/service.ts';
import { runScheduledDistribution } from '../distribution/schedule.ts';
import { runScheduledVoucherRun } from '../vouchers/schedule.ts';
import { refreshQueueSnapshot } from '../applications/snapshot.ts';
import { AppError } from '../errors.ts';
import { runRefresh } from '../refresh/service.ts';
import { turnIfDue } from '../season/turn.ts';
import { eraseMedicalDetail } from '../attendance/reports.ts';
import { eraseEndedVaccinationFlags } from '../vaccinations/erase.ts';
import { dispatchOffers } from '../waiting-lists/service.ts';

export const DAILY_HEAD = 'daily';
const SMS_BATCH = 50;

/**
 * The service's loops: deadline sweep every 60 s (when src/referrals/sweep.ts exists), audit sealer
 * every 5 s, SMS sender and e-mail sender every 2 s, queue-number snapshot (src/applications/snapshot.ts) every 30 s, and the daily publication of the audit chain's head. Each
 * coordinates through the database, so several processes may run them.
 */
export async function serviceJobs(deps: AppDeps, sms: SmsProvider, logger: JobLogger, mail?: MailProvider): Promise<{ runner: JobRunner; sweepWired: boolean }> {
  const db = deps.database.db;
  const jobs: JobSpec[] = [
    { name: 'audit.seal', intervalMs: 5000, run: () => sealAudit(db, deps.clock).then((r) => ({ sealed: r.sealed, seq: r.head.seq })) },
    {
      // a full batch means more are due: send the next one at once (a sign-in spike asks for tens of codes a second)
      name: 'sms.send',
      intervalMs: 2000,
      run: async (signal) => {
        let r = await sendDueSms(deps, sms, { batch: SMS_BATCH });
        while (r.claimed === SMS_BATCH && !signal.aborted) r = await sendDueSms(deps, sms, { batch: SMS_BATCH });
        return r;
      },
    },
    {
      // the e-mail copies (src/mail/): the same outbox, its 'email' channel, the same way
      name: 'mail.send',
      intervalMs: 2000,
      run: async (signal) => {
        if (!mail) return null;
        let r = await sendDueMail(deps, mail, { batch: SMS_BATCH });
        while (r.claimed === SMS_BATCH && !signal.aborted) r = await sendDueMail(deps, mail, { batch: SMS_BATCH });
        return r;
      },
    },
    // queue numbers: a new snapshot once the newest is 30 s old (one process refreshes for all; lookups use it up to 60 s)
    { name: 'queue.snapshot', intervalMs: 5000, run: () => refreshQueueSnapshot(deps) },
    { name: 'parents.phone_check', intervalMs: 10 * 60_000, run: (signal) => sendPhoneCheckReminders(deps, signal) },
    // the yearly refresh: opens this year's campaign in the policy's window, closes it once after (idempotent)
    { name: 'refresh.campaign', intervalMs: 10 * 60_000, run: () => runRefresh(deps) },
    { name: 'parents.prune_attempts', intervalMs: 60 * 60_000, run: () => pruneAuthAttempts(deps) },
    { name: 'parents.prune_first_applications', intervalMs: 10 * 60_000, run: () => pruneFirstApplications(deps) },
    // the 1 September turn: once a year on the policy date, however often this runs (src/season/turn.ts)
    { name: 'season.turn', intervalMs: 10 * 60_000, run: () => turnIfDue(deps) },
    // health data: the detail of a medical absence is erased after the policy's days (src/attendance/reports.ts)
    { name: 'attendance.medical_erase', intervalMs: 60 * 60_000, run: () => eraseMedicalDetail(deps) },
    // health data kept only while the child is placed (src/vaccinations/erase.ts)
    { name: 'vaccinations.erase', intervalMs: 10 * 60_000, run: () => eraseEndedVaccinationFlags(deps) },
    // waiting-list offers: expire the silent ones, offer freed places to the next on the list (src/waiting-lists/)
    { name: 'waiting_lists.offers', intervalMs: 60_000, run: () => dispatchOffers(deps) },
    {
      name: 'audit.head.daily',
      intervalMs: 10 * 60_000,
      run: async () => ((await headDueToday(db, deps.clock, DAILY_HEAD)) ? publishHead(db, deps.clock, DAILY_HEAD) : null),
    },
  ];
  jobs.push({ name: 'distribution.scheduled', intervalMs: 60_000, run: () =>
      runScheduledDistribution(deps).then(
        (r) => r && { run: r.summary.id, repeated: r.repeated },
        // deadlines past the checked calendar: nothing is issued today, and the job's result says why
        (e: unknown) => {
          if (e instanceof AppError && e.code === 'calendar_not_checked') return { skipped: 'calendar_not_checked', year: e.params.year };
          throw e;
        },
      ),
  });
  jobs.push({ name: 'vouchers.scheduled', intervalMs: 60_000, run: () => runScheduledVoucherRun(deps).then((r) => r && { run: r.summary.id, repeated: r.repeated }) });
  const sweep = await loadSweep();
  if (sweep) jobs.unshift({ name: 'referrals.sweep', intervalMs: 60_000, run: () => sweep(deps) });
  return { runner: new JobRunner(jobs, logger, db, deps.clock), sweepWired: !!sweep };
}
