/**
 * Entry point of a job's child process (forked by run-job-process.ts through tsx). Trains one job and streams its
 * progress to the parent; anything that goes wrong here ends this process only.
 */
import { loadBackend, parseBackendOrder } from './backend.ts';
import type { StartMessage, WorkerMessage } from './job-messages.ts';
import { parseJobConfig } from './job-config.ts';
import { setUpJob } from './job-setup.ts';
import { trainModel, type TrainOptions } from './train-model.ts';
import { isIngestError } from '../ingest/ingest-error.ts';

function send(msg: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

async function run(start: StartMessage): Promise<void> {
  const config = parseJobConfig(start.config);
  const backend = await loadBackend(parseBackendOrder(start.backendOrder ?? process.env.RUNMEDIC_TF_BACKEND));
  void send({ type: 'backend', backend });
  // The preset's network and data, or the team's own model and data from the files the config carries.
  const { built, data } = await setUpJob(config);
  const options: TrainOptions = { built };
  void send({ type: 'data', trainSize: data.train.y.length, valSize: data.val?.y.length ?? 0, notes: data.notes });
  const result = await trainModel(config, data, backend.name, {
    onBatch: (report) => void send({ type: 'batch', report }),
    onEpoch: (report) => {
      void send({ type: 'epoch', report });
      if (start.crash && report.epoch >= 1) crash(start.crash);
    },
  }, options);
  await send({ type: 'done', result });
}

function crash(mode: NonNullable<StartMessage['crash']>): void {
  if (mode === 'throw') throw new Error('deliberate crash (test)');
  if (mode === 'exit') process.exit(70);
  const hog: number[][] = [];
  for (;;) hog.push(new Array<number>(1e6).fill(Math.random()));
}

process.once('message', (msg: StartMessage) => {
  run(msg).then(
    () => process.disconnect?.(),
    async (e: unknown) => {
      const input = isIngestError(e) ? { file: e.file, line: e.line, path: e.path, reason: e.reason } : undefined;
      await send({ type: 'error', message: e instanceof Error ? e.message : String(e), ...(input ? { input } : {}) });
      process.exit(1);
    },
  );
});
