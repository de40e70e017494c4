import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobRunner } from '../../src/jobs/runner.ts';

const quiet = { info: () => {}, error: () => {} };

test('a job never overlaps itself, an error does not stop its loop, and stop() waits for the running iteration', async () => {
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  const errors: string[] = [];
  const runner = new JobRunner(
    [
      {
        name: 'slow',
        intervalMs: 5,
        run: async () => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          runs++;
          await new Promise((r) => setTimeout(r, 40));
          running--;
          if (runs === 2) throw new Error('boom');
        },
      },
    ],
    { info: () => {}, error: (o) => errors.push(String((o as { job: string }).job)) },
  );
  runner.start();
  await new Promise((r) => setTimeout(r, 1300));
  assert.ok(runs >= 3, `ran ${runs} times, on after the error`);
  assert.equal(maxRunning, 1, 'never two iterations at once');
  assert.deepEqual(errors, ['slow']);
  await runner.stop();
  assert.equal(running, 0);
  const after = runs;
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(runs, after, 'no iteration after stop');
});

test('stop() resolves only after the iteration in progress has finished', async () => {
  let release!: () => void;
  let started!: () => void;
  const inProgress = new Promise<void>((r) => (started = r));
  let done = false;
  const runner = new JobRunner(
    [
      {
        name: 'gated',
        intervalMs: 10,
        run: async () => {
          started();
          await new Promise<void>((r) => (release = r));
          done = true;
        },
      },
    ],
    quiet,
  );
  const keepAlive = setInterval(() => {}, 1000); // the runner's timers do not keep a process alive by themselves
  runner.start();
  await inProgress;
  let stopped = false;
  const stopping = runner.stop().then(() => (stopped = true));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(stopped, false, 'still waiting for the running iteration');
  release();
  await stopping;
  clearInterval(keepAlive);
  assert.equal(done, true);
});
