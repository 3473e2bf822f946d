/**
 * TensorFlow.js runs of the corpus through the project's own jobs code (src/jobs: presets, faults, prepareData,
 * trainModel), in-process (no child worker), on whichever backend loads (tfjs-node, else wasm, else cpu). Each run
 * is written as a History JSON (tfjs' `history.history` keys) or a CSV (per epoch, or per batch with the epoch
 * values on each epoch's last batch); record.json is then written by common.py from the log itself.
 *
 *   npx tsx bench/corpus/gen-tfjs.ts --out bench/corpus/out [--shard 0/2] [--only-label label_noise] [--limit 5]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBackend } from '../../src/jobs/backend.ts';
import { resolveJobConfig } from '../../src/jobs/presets.ts';
import type { JobConfig, PresetName } from '../../src/jobs/job-config.ts';
import { prepareData } from '../../src/jobs/prepare-data.ts';
import { trainModel } from '../../src/jobs/train-model.ts';
import type { Series } from '../../src/domain/run.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');

interface PlannedRun {
  id: string;
  framework: string;
  intended: string;
  seed: number;
  format: 'history_json' | 'keras_csv';
  cadence: 'epoch' | 'step';
  job: { preset: PresetName; faults: Record<string, unknown>; [k: string]: unknown };
  [k: string]: unknown;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function planRuns(): PlannedRun[] {
  const text = execFileSync('python3', [join(HERE, 'plan.py'), '--json'], { cwd: ROOT, maxBuffer: 1 << 28 }).toString();
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as PlannedRun)
    .filter((r) => r.framework === 'tfjs');
}

function complete(dir: string): boolean {
  const p = join(dir, 'record.json');
  if (!existsSync(p)) return false;
  try {
    const r = JSON.parse(readFileSync(p, 'utf8')) as { series?: unknown; intended?: unknown };
    return r.series !== undefined && r.intended !== undefined;
  } catch {
    return false;
  }
}

/** A number as JavaScript prints it (full precision), NaN/Infinity as the Keras CSV and Python json spell them. */
function num(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  return String(v);
}

function byName(series: Series[], name: string): Series | undefined {
  return series.find((s) => s.name === name);
}

/** Writes the run's log; returns its file name. */
function writeLog(run: PlannedRun, dir: string, series: Series[]): string {
  const epochKeys: [string, string][] = [
    ['loss', 'loss'],
    ['acc', 'accuracy'],
    ['val_loss', 'val_loss'],
    ['val_acc', 'val_accuracy'],
  ];
  const present = epochKeys.filter(([, n]) => byName(series, n));
  const nEpochs = byName(series, 'loss')!.values.length;
  if (run.format === 'history_json') {
    // tfjs' History: { loss: [...], acc: [...], val_loss: [...], val_acc: [...] } (JSON.stringify writes NaN as null)
    const parts = present.map(([k, n]) => `${JSON.stringify(k)}: [${Array.from(byName(series, n)!.values, (v) => (Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity')).join(', ')}]`);
    writeFileSync(join(dir, 'history.json'), `{${parts.join(', ')}}`);
    return 'history.json';
  }
  const keys = present.map(([k]) => k).sort();
  const rows: string[] = [];
  if (run.cadence === 'step') {
    const batch = byName(series, 'batch_loss')!;
    rows.push(['step', 'epoch', 'batch_loss', 'epoch_end', ...keys].join(','));
    const spe = Math.round(batch.values.length / nEpochs);
    for (let i = 0; i < batch.values.length; i++) {
      const step = i + 1;
      const cells = [String(step), num(batch.epochs?.[i] ?? step / spe), num(batch.values[i]!)];
      if (step % spe === 0 && step / spe <= nEpochs) {
        const e = step / spe;
        cells.push(String(e));
        for (const k of keys) cells.push(num(byName(series, epochKeys.find(([kk]) => kk === k)![1])!.values[e - 1]!));
      } else {
        cells.push('', ...keys.map(() => ''));
      }
      rows.push(cells.join(','));
    }
  } else {
    rows.push(['epoch', ...keys].join(','));
    for (let e = 0; e < nEpochs; e++) {
      rows.push([String(e), ...keys.map((k) => num(byName(series, epochKeys.find(([kk]) => kk === k)![1])!.values[e]!))].join(','));
    }
  }
  writeFileSync(join(dir, 'training.log'), rows.join('\n') + '\n');
  return 'training.log';
}

async function main(): Promise<void> {
  const out = resolve(arg('out') ?? join(HERE, 'out'));
  const shard = arg('shard');
  const only = arg('only-label')?.split(',');
  const limit = arg('limit') ? Number(arg('limit')) : undefined;
  let runs = planRuns();
  if (only) runs = runs.filter((r) => only.includes(r.intended));
  if (shard) {
    const [i, n] = shard.split('/').map(Number) as [number, number];
    runs = runs.filter((_, k) => k % n === i);
  }
  const perLabel = arg('per-label') ? Number(arg('per-label')) : undefined;
  if (perLabel) {
    const seen = new Map<string, number>();
    runs = runs.filter((r) => {
      const n = seen.get(r.intended) ?? 0;
      seen.set(r.intended, n + 1);
      return n < perLabel;
    });
  }
  if (limit) runs = runs.slice(0, limit);
  mkdirSync(join(out, 'runs'), { recursive: true });
  mkdirSync(join(out, 'tmp'), { recursive: true });
  const backend = await loadBackend();
  console.log(`[tfjs] backend ${backend.name}; ${runs.length} runs in this shard`);
  for (const run of runs) {
    const final = join(out, 'runs', run.id);
    if (complete(final)) continue;
    const tmp = join(out, 'tmp', `${run.id}.${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    try {
      const { preset, faults, ...options } = run.job;
      const config: JobConfig = resolveJobConfig(preset, { ...(options as Partial<JobConfig>), seed: run.seed }, faults as JobConfig['faults']);
      const data = prepareData(config);
      const result = await trainModel(config, data, backend.name);
      const log = writeLog(run, tmp, result.series);
      const trainSize = data.train.y.length;
      const spe = Math.ceil(trainSize / config.batchSize);
      const cpu = process.cpuUsage(c0);
      const val = data.val;
      let majority: number | null = null;
      const ref = val ?? data.train;
      const counts = new Array<number>(ref.classes).fill(0);
      for (const c of ref.y) counts[c]!++;
      majority = Math.max(...counts) / Math.max(1, ref.y.length);
      const cfg = { ...run, epochs: result.meta.epochsRun, planned_epochs: config.epochs, job: config };
      const info = {
        cfg,
        log,
        spe,
        task: 'classification',
        classes: data.train.classes,
        majority,
        train_size: trainSize,
        val_size: val ? val.y.length : 0,
        epochs_run: result.meta.epochsRun,
        notes: [...result.notes, `tfjs backend ${result.meta.backend} (${result.meta.stepMode} steps)`, 'epochs in record.json are 1-based counts of completed epochs'],
        seconds: Math.round(performance.now() - t0) / 1000,
        cpu_seconds: Math.round((cpu.user + cpu.system) / 1000) / 1000,
      };
      writeFileSync(join(tmp, '_info.json'), JSON.stringify(info));
      const res = execFileSync('python3', [join(HERE, 'common.py'), 'finish', out, tmp], { cwd: ROOT }).toString().trim();
      if (!res.startsWith('OK')) throw new Error(res);
      console.log(`[tfjs] ${run.id} ${info.seconds.toFixed(1)}s | ${res.split('\t')[2] ?? ''}`);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      const msg = e instanceof Error ? e.message : String(e);
      appendFileSync(join(out, 'failures.tsv'), [new Date().toISOString().slice(0, 19), run.id, 'tfjs', run.intended, msg.replace(/[\t\n]/g, ' ').slice(0, 1500)].join('\t') + '\n');
      console.log(`[tfjs] FAILED ${run.id}: ${msg.split('\n')[0]}`);
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
