import { Command, Option } from 'commander';
import type { AppDeps } from '../context.ts';
import { SYSTEM } from '../audit/write.ts';
import { commitDistribution, previewDistribution, replayRun, type RunSummary } from '../distribution/service.ts';

type WithDeps = <T>(f: (deps: AppDeps) => Promise<T>) => Promise<T>;

const out = (s: string) => process.stdout.write(`${s}\n`);

function printSummary(s: RunSummary): void {
  out(`${s.id === null ? 'Preview (nothing written)' : `Run ${s.id} (key ${s.idempotencyKey})`} on ${s.runDate}, ratio 1:${s.ratio}`);
  out(`  free places: ${s.places}, referrals: ${s.referrals}, applications read: ${s.applicationsRead}`);
  out(`  passed over, by reason: ${Object.entries(s.reasonCounts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  out(`  inputs hash: ${s.inputsHash}`);
  out(`  result hash: ${s.resultHash}`);
  if (s.auditHead) out(`  audit chain head: ${s.auditHead.seq}:${s.auditHead.hash}`);
}

/**
 * `kezek distribute --preview | --commit [--key K] | --replay <run>`: the distribution of free places
 * from the command line (as the system actor). Registered in src/cli/main.ts.
 */
export function registerDistribute(program: Command, withDeps: WithDeps): void {
  program
    .command('distribute')
    .description('distribute the free places: preview (writes nothing), commit, or replay a run from its stored inputs')
    .addOption(new Option('--preview', 'show what a run would do now; writes nothing').conflicts(['commit', 'replay']))
    .addOption(new Option('--commit', 'commit a run: referrals, SMS, protocol, audit in one transaction').conflicts(['replay']))
    .option('--key <key>', 'idempotency key of the run (repeating it changes nothing); default: a new one')
    .option('--replay <run>', 'recompute the run from its stored inputs and compare (exit 1 if it differs)')
    .option('--json', 'print JSON')
    .action(async (o: { preview?: boolean; commit?: boolean; key?: string; replay?: string; json?: boolean }, cmd: Command) => {
      if (o.replay !== undefined) {
        const id = Number(o.replay);
        if (!Number.isInteger(id) || id < 1) cmd.error(`--replay expects a run number, got "${o.replay}"`);
        const r = await withDeps((deps) => replayRun(deps.database.db, id));
        if (o.json) out(JSON.stringify(r));
        else {
          out(`Run ${r.runId}: ${r.ok ? 'REPLAY OK — the stored inputs give the published result' : 'REPLAY FAILED'}`);
          out(`  inputs hash: ${r.inputsHash.ok ? 'ok' : `stored ${r.inputsHash.stored}, computed ${r.inputsHash.computed}`}`);
          out(`  result hash: ${r.resultHash.ok ? 'ok' : `stored ${r.resultHash.stored}, recomputed ${r.resultHash.recomputed}`}`);
          out(`  stored protocol matches: ${r.protocolMatches ? 'yes' : 'no'}; referrals match: ${r.referralsMatch ? 'yes' : 'no'}; order consistent: ${r.orderConsistent ? 'yes' : 'no'}`);
        }
        if (!r.ok) process.exitCode = 1;
        return;
      }
      if (o.commit) {
        const r = await withDeps((deps) => commitDistribution(deps, SYSTEM, { key: o.key, trigger: 'cli' }));
        if (o.json) out(JSON.stringify(r));
        else {
          if (r.repeated) out(`A run with this key exists already; nothing changed.`);
          printSummary(r.summary);
        }
        return;
      }
      if (!o.preview) cmd.error('say --preview, --commit or --replay <run>');
      const p = await withDeps((deps) => previewDistribution(deps, SYSTEM));
      if (o.json) out(JSON.stringify(p));
      else {
        printSummary(p.summary);
        for (const e of p.protocol.filter((x) => x.recipient).slice(0, 20)) {
          out(`  place ${e.placeId} (organisation ${e.organisationId}, ${e.birthYear}, ${e.language}, ${e.groupType}) → ${e.recipient!.applicationNumber} (${e.recipient!.tier}, queue number ${e.recipient!.queueNumber})`);
        }
      }
    });
}
