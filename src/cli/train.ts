import type { CliCommand } from './command.ts';
import { UsageError } from './usage-error.ts';
import { ALL_OPTION, checklistText, EXIT_SOMETHING_FAILS } from './diagnose.ts';
import { toJson } from './format.ts';
import { backendText, runTerminalJob, unfinishedReason } from './terminal-job.ts';
import { isCustomJob, PRESET_NAMES, type JobConfig, type PresetName, type TrainingSettings } from '../jobs/job-config.ts';
import { IngestError } from '../ingest/ingest-error.ts';
import { PRESETS, resolveJobConfig } from '../jobs/presets.ts';
import { FaultSpecError, FAULT_SPECS, parseFaultSpecs } from '../jobs/fault-spec.ts';
import type { JobEvent } from '../jobs/run-job-process.ts';
import { epochProgressLine, progressLine } from '../jobs/progress-line.ts';
import { BACKEND_NAMES, parseBackendOrder } from '../jobs/backend-names.ts';

/** Exit code when the job itself did not finish (crashed, failed or was cancelled): no verdict to judge. */
export const EXIT_JOB_FAILED = 3;

/**
 * Checks a backend preference list (--backend, else RUNMEDIC_TF_BACKEND, which the job's child reads) before the job
 * starts, so a typo is a usage error naming the allowed values rather than a job that fails seconds later.
 */
export function checkedBackendOrder(option: unknown, env: string | undefined, command: string): string | undefined {
  const fromOption = typeof option === 'string';
  const spec = fromOption ? option : env;
  // An unset or empty variable means the job's own default order.
  if (!fromOption && (spec === undefined || spec.trim() === '')) return undefined;
  let names: string[] = [];
  try {
    names = spec === undefined || spec.trim() === '' ? [] : parseBackendOrder(spec);
  } catch {
    names = [];
  }
  if (names.length === 0) {
    throw new UsageError(`${fromOption ? '--backend' : 'RUNMEDIC_TF_BACKEND'}: expected a comma-separated list of ${BACKEND_NAMES.join(', ')}, got "${spec}"`, command);
  }
  return fromOption ? spec : undefined;
}

type Opts = Partial<TrainingSettings>;

function num(name: string, v: unknown, check: (x: number) => boolean, what: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(x) || !check(x)) throw new UsageError(`--${name}: expected ${what}, got "${String(v)}"`, 'train');
  return x;
}

const oneOf = <T extends string>(name: string, v: unknown, allowed: readonly T[]): T | undefined => {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new UsageError(`--${name}: expected one of ${allowed.join(', ')}, got "${String(v)}"`, 'train');
  return v as T;
};

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'train a preset, or your own model on your own data, with TensorFlow.js in a child process, store the run and print its verdict',
  exitCodes: '0 nothing fails, 1 the verdict has a failing item, 2 bad input (option, backend name, a model or data file at fault), 3 the job itself failed, crashed or was cancelled (no verdict)',
  args: '--preset NAME | --model M.json --data FILE',
  maxArgs: 0,
  options: {
    preset: { type: 'string', valueName: 'NAME', description: `one of ${PRESET_NAMES.join(', ')} (or --model and --data)` },
    model: { type: 'string', valueName: 'FILE', description: 'your own model: a Keras model.to_json() (Keras 2 or 3), a TensorFlow.js model.json or a layer spec (README: Your own model)' },
    data: { type: 'string', valueName: 'FILE', description: 'with --model: a CSV with a label column, an .npy/.npz (x, y) or a zip of image folders' },
    label: { type: 'string', valueName: 'COLUMN', description: 'with --data: the CSV column holding the label' },
    lr: { type: 'string', valueName: 'X', description: 'learning rate (default: the preset\'s, as every option)' },
    epochs: { type: 'string', valueName: 'N', description: 'epochs' },
    'batch-size': { type: 'string', valueName: 'N', description: 'batch size' },
    optimizer: { type: 'string', valueName: 'O', description: 'adam, sgd, momentum or rmsprop' },
    'no-shuffle': { type: 'boolean', description: 'keep the data order every epoch' },
    'val-split': { type: 'string', valueName: 'F', description: 'validation share (0 for none)' },
    'early-stopping': { type: 'string', valueName: 'P', description: 'stop after P epochs without improvement, restoring the best weights' },
    dropout: { type: 'string', valueName: 'F', description: 'dropout rate before the output layer' },
    batchnorm: { type: 'boolean', description: 'batch normalisation after each hidden layer' },
    activation: { type: 'string', valueName: 'A', description: 'relu, leakyRelu, elu, sigmoid or tanh' },
    pooling: { type: 'string', valueName: 'P', description: 'max or avg (CNN)' },
    'kernel-size': { type: 'string', valueName: 'K', description: 'convolution kernel size (CNN)' },
    l2: { type: 'string', valueName: 'X', description: 'L2 weight penalty' },
    augment: { type: 'boolean', description: 'image augmentation: flips, ±0.2 rad rotation, ±10 % zoom' },
    normalize: { type: 'boolean', description: 'normalise the inputs from training-split statistics (images to 0–1, features standardised)' },
    seed: { type: 'string', valueName: 'N', description: 'random seed (data split, init, shuffling)' },
    limit: { type: 'string', valueName: 'N', description: 'use only N examples of the dataset' },
    fault: { type: 'string', valueName: 'F[=V]', multiple: true, description: `switch a fault on: ${FAULT_SPECS.join(', ')}` },
    backend: { type: 'string', valueName: 'B', description: `backend preference: a comma-separated list of ${BACKEND_NAMES.join(', ')} (default $RUNMEDIC_TF_BACKEND, else tensorflow,wasm,cpu)` },
    json: { type: 'boolean', description: 'print the verdict JSON instead of the checklist' },
    queue: { type: 'boolean', description: 'put the job on the shared queue (DATABASE_URL) for a `runmedic worker`, and follow it' },
    detach: { type: 'boolean', description: 'with --queue: print the job id and return at once' },
    ...ALL_OPTION,
  },
  async run(ctx, { values }) {
    const custom = values.model !== undefined || values.data !== undefined;
    if (custom && values.preset !== undefined) throw new UsageError('--preset or --model with --data: a job trains a preset or your own model, not both', 'train');
    if (custom && (typeof values.model !== 'string' || typeof values.data !== 'string')) throw new UsageError(`--${values.model === undefined ? 'model' : 'data'} is required with --${values.model === undefined ? 'data' : 'model'}`, 'train');
    if (!custom && values.label !== undefined) throw new UsageError('--label goes with --data (the CSV column holding the label)', 'train');
    const preset = oneOf('preset', values.preset, PRESET_NAMES) as PresetName | undefined;
    if (!preset && !custom) throw new UsageError(`--preset (one of ${PRESET_NAMES.join(', ')}) or --model with --data is required`, 'train');
    const patience = num('early-stopping', values['early-stopping'], (x) => Number.isInteger(x) && x >= 1, 'a whole number of epochs ≥ 1');
    const opts: Opts = {
      learningRate: num('lr', values.lr, (x) => x > 0, 'a positive number'),
      epochs: num('epochs', values.epochs, (x) => Number.isInteger(x) && x >= 1 && x <= 1000, 'a whole number 1–1000'),
      batchSize: num('batch-size', values['batch-size'], (x) => Number.isInteger(x) && x >= 1, 'a whole number ≥ 1'),
      optimizer: oneOf('optimizer', values.optimizer, ['adam', 'sgd', 'momentum', 'rmsprop'] as const),
      shuffle: values['no-shuffle'] ? false : undefined,
      validationSplit: num('val-split', values['val-split'], (x) => x >= 0 && x <= 0.9, 'a share 0–0.9'),
      earlyStopping: patience !== undefined ? { patience, restoreBestWeights: true } : undefined,
      dropout: num('dropout', values.dropout, (x) => x >= 0 && x <= 0.95, 'a rate 0–0.95'),
      batchNorm: values.batchnorm ? true : undefined,
      activation: oneOf('activation', values.activation, ['relu', 'leakyRelu', 'elu', 'sigmoid', 'tanh'] as const),
      pooling: oneOf('pooling', values.pooling, ['max', 'avg'] as const),
      kernelSize: num('kernel-size', values['kernel-size'], (x) => Number.isInteger(x) && x >= 1 && x <= 7, 'a whole number 1–7'),
      l2: num('l2', values.l2, (x) => x >= 0, 'a number ≥ 0'),
      augment: values.augment ? { flip: true, rotation: 0.2, zoom: 0.1 } : undefined,
      normalizeInputs: values.normalize ? true : undefined,
      seed: num('seed', values.seed, Number.isInteger, 'a whole number'),
      limit: num('limit', values.limit, (x) => Number.isInteger(x) && x >= 2, 'a whole number ≥ 2'),
    };
    let faults;
    try {
      faults = parseFaultSpecs((values.fault as string[] | undefined) ?? []);
    } catch (e) {
      if (e instanceof FaultSpecError) throw new UsageError(`--fault: ${e.message}`, 'train');
      throw e;
    }
    const backendOrder = checkedBackendOrder(values.backend, process.env.RUNMEDIC_TF_BACKEND, 'train');
    let config: JobConfig;
    if (preset) {
      // Options that change nothing on this preset are refused rather than stored as if they had been applied.
      const p = PRESETS[preset];
      if (opts.augment && p.dataset !== 'mnist') throw new UsageError(`--augment applies to image presets (seed-cnn, mnist-mlp), not ${preset}`, 'train');
      for (const [flag, given] of [['--pooling', opts.pooling], ['--kernel-size', opts.kernelSize]] as const) {
        if (given !== undefined && p.architecture !== 'cnn') throw new UsageError(`${flag} applies to the convolutional preset (seed-cnn), not ${preset}`, 'train');
      }
      config = resolveJobConfig(preset, opts, faults);
    } else {
      const [{ readModelAndData }, { customJobConfig, NotForCustomModel }] = await Promise.all([import('./sanity.ts'), import('../app/custom-job-config.ts')]);
      const files = await readModelAndData(ctx, values, undefined, 'train');
      try {
        config = customJobConfig(files, opts, faults);
      } catch (e) {
        if (e instanceof NotForCustomModel) throw new UsageError(`with --model: ${e.message}`, 'train');
        throw e;
      }
    }
    if (values.detach && !values.queue) throw new UsageError('--detach goes with --queue (a job trained here is followed here)', 'train');
    if (values.queue) {
      if (backendOrder) throw new UsageError('--backend applies to a job trained here; a queued job uses its worker\'s RUNMEDIC_TF_BACKEND', 'train');
      // Files at fault are bad input here and now (exit 2), not a job a worker fails later (exit 3): nothing is queued.
      if (isCustomJob(config)) await (await import('../app/check-custom-job-files.ts')).checkCustomJobFiles(config);
      const { runQueuedJob } = await import('./queued-job.ts');
      return runQueuedJob(ctx, config, { detach: values.detach === true, json: values.json === true, all: values.all === true });
    }
    const tty = process.stderr.isTTY === true;
    let lastLen = 0;
    // The progress clock (elapsed, ETA) starts with training, once the child has loaded TensorFlow.js and the data.
    let started = Date.now();
    let backend = '';
    const show = (line: string, final = false) => {
      if (tty) {
        process.stderr.write(`\r${line.padEnd(lastLen)}${final ? '\n' : ''}`);
        lastLen = line.length;
      } else if (final) ctx.err(line);
    };
    const onEvent = (e: JobEvent) => {
      if (e.type === 'backend') {
        backend = e.backend.name;
        ctx.err(`backend: ${backendText(e.backend)}`);
      } else if (e.type === 'data') {
        started = Date.now();
        if (custom) {
          // A custom job's notes say how its files were read (model, encodings, resizing): one a line.
          ctx.err(`data: ${e.trainSize} training, ${e.valSize} validation examples`);
          for (const n of e.notes) ctx.err(`  ${n}`);
        } else ctx.err(`data: ${e.trainSize} training, ${e.valSize} validation examples${e.notes.length ? `; ${e.notes.join('; ')}` : ''}`);
      } else if (e.type === 'batch') {
        show(progressLine({ epochs: config.epochs, epoch: e.report.epoch, batch: e.report.batch, batches: e.report.batches, loss: e.report.loss, elapsedMs: Date.now() - started, backend }));
      } else if (e.type === 'epoch') {
        show(epochProgressLine(e.report, Date.now() - started, backend), true);
      }
    };
    const r = await runTerminalJob(ctx, config, { onEvent, backendOrder, requestedBy: 'cli' });
    // The model or data file at fault (found in the job's child, where TensorFlow.js and the reader ran): bad input.
    if (r.outcome.status === 'failed' && r.outcome.input) throw new IngestError(r.outcome.input);
    if (r.outcome.status !== 'finished' || !r.verdict) {
      ctx.err(`job ${unfinishedReason(r.outcome)} (run ${r.run.id} kept as ${r.run.status})`);
      return EXIT_JOB_FAILED;
    }
    const m = r.outcome.result.meta;
    ctx.err(`trained ${m.epochsRun} epoch${m.epochsRun === 1 ? '' : 's'} on ${m.backend} at ${Math.round(m.samplesPerSecond)} samples/s; run ${r.run.id} stored in ${ctx.dbPath}`);
    if (values.json) ctx.out(toJson(r.verdict));
    else for (const line of checklistText({ verdict: r.verdict, from: 'store', notes: r.outcome.result.notes }, { all: values.all === true })) ctx.out(line);
    return r.verdict.status === 'fail' ? EXIT_SOMETHING_FAILS : 0;
  },
};
