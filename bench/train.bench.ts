/**
 * Training throughput of the seed CNN (one epoch, batch 32) on every TensorFlow.js backend that loads here, and in
 * PyTorch on the same architecture, digits and batch size when Python has torch; plus a large matmul on each for the
 * machine's FLOP ceiling. The stock cpu backend is far too slow for 8,000 digits: it is timed on a small slice.
 * Each backend is timed twice: model.fit, and the job loop runmedic runs (src/jobs/train-model.ts) on the same digits;
 * the summary takes the job loop only where it trains the same model with the same batch and Adam (see below).
 * On the native backend the job loop's batch is also broken down by TensorFlow op (jobLoopNativeOps).
 * Timings on a shared machine are noisy: each worker records its own load average, and so does the summary.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMnist, takeBalanced } from '../src/jobs/dataset.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const EXAMPLES = 8000;
const CPU_EXAMPLES = 64;
const BATCH = 32;
const MATMUL_N = 2048;
/**
 * Seed CNN per training example, 2 FLOP per multiply-add: forward conv1 0.226 M + conv2 3.613 M + dense 0.031 M MACs
 * = 3.87 M; backward the same again for weight gradients and again less conv1 for input gradients: 11.4 M MACs.
 */
const MFLOP_PER_SAMPLE = 22.8;

function worker(args: string[], timeoutMs: number): Record<string, unknown> | { error: string } {
  const r = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(here, 'train/seed-cnn-worker.ts'), ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  });
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.status !== 0 || !line) return { error: (r.error?.message ?? r.stderr.trim().split('\n').slice(-2).join(' | ')) || `exit ${r.status}` };
  return JSON.parse(line) as Record<string, unknown>;
}

function hasTorch(): boolean {
  return spawnSync('python3', ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
}

const round4 = (x: number | undefined): number | null => (typeof x === 'number' ? Math.round(x * 1e4) / 1e4 : null);

export default async function bench(): Promise<Record<string, unknown>> {
  // The machine may be shared: every worker records its own 1-minute load average too.
  const loadAtStart = os.loadavg()[0];
  const backends: Record<string, unknown> = {};
  for (const b of ['tensorflow', 'wasm', 'cpu']) {
    const n = b === 'cpu' ? CPU_EXAMPLES : EXAMPLES;
    console.log(`seed CNN on ${b} (${n} digits)…`);
    const fit = worker([b, 'fit', String(n), String(BATCH)], 45 * 60_000);
    if ('error' in fit) {
      backends[b] = { available: false, error: fit.error };
      continue;
    }
    // The job loop twice, the faster counting (PyTorch's epoch is also the faster of two): a shared 2-core machine
    // moves single runs by ±20 %.
    const jobs = b === 'cpu' ? [] : [worker([b, 'job', String(n), String(BATCH)], 45 * 60_000), worker([b, 'job', String(n), String(BATCH)], 45 * 60_000)];
    const sps = (r: Record<string, unknown>) => ('error' in r ? null : (r.samplesPerSecond as number));
    const job = [...jobs].sort((p, q) => (sps(q) ?? -1) - (sps(p) ?? -1))[0] ?? null;
    const mm = worker([b, 'matmul', String(b === 'cpu' ? 512 : MATMUL_N)], 10 * 60_000);
    // On tfjs-node the job loop runs one TensorFlow graph per step; the op-by-op loop (still used for layers the
    // graph does not build: a linear output) is timed too, with its TensorFlow ops by name.
    const eager = b === 'tensorflow' ? worker([b, 'job-eager', String(n), String(BATCH)], 45 * 60_000) : undefined;
    const ops = b === 'tensorflow' ? worker([b, 'ops', '1280', String(BATCH)], 10 * 60_000) : undefined;
    backends[b] = { available: true, fit, instrumentedJob: job, instrumentedJobRuns: jobs.map(sps), matmul: mm, ...(eager ? { eagerJob: eager, eagerJobNativeOps: ops } : {}) };
  }

  const torchAvailable = hasTorch();
  let python: Record<string, unknown> = { error: 'python3 not found' };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'runmedic-bench-'));
  try {
    const ds = takeBalanced(loadMnist(), EXAMPLES);
    writeFileSync(path.join(dir, 'x.f32'), Buffer.from(ds.x.buffer, ds.x.byteOffset, ds.x.byteLength));
    writeFileSync(path.join(dir, 'y.i32'), Buffer.from(ds.y.buffer, ds.y.byteOffset, ds.y.byteLength));
    console.log(`numpy matmul${torchAvailable ? ' and PyTorch seed CNN' : ' (no torch in this Python)'}…`);
    const out = execFileSync('python3', [path.join(here, 'train/seed_cnn_torch.py'), path.join(dir, 'x.f32'), path.join(dir, 'y.i32'), String(EXAMPLES), String(BATCH), String(MATMUL_N)], { encoding: 'utf8', timeout: 30 * 60_000 });
    python = JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
  } catch (e) {
    python = { error: (e as Error).message.split('\n')[0]! };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const torch = 'torch' in python ? (python.torch as { samplesPerSecond: number } | null) : null;
  const ceilings = [python.numpyMatmulGflops, python.torchMatmulGflops, ...Object.values(backends).map((b) => ((b as { matmul?: { gflops?: number } }).matmul?.gflops))].filter(
    (x): x is number => typeof x === 'number' && Number.isFinite(x),
  );
  const ceiling = ceilings.length ? Math.max(...ceilings) : null;
  const summary: Record<string, unknown> = {};
  type Run = { samplesPerSecond?: number; loss?: number; examples?: number; batch?: number; optimizer?: string; learningRate?: number; stepMode?: string };
  for (const [name, b] of Object.entries(backends)) {
    const fit = (b as { fit?: Run }).fit;
    const job = (b as { instrumentedJob?: Run | null }).instrumentedJob ?? null;
    if (typeof fit?.samplesPerSecond !== 'number') continue;
    // The job loop (what runmedic runs) counts only when it trains the same model the same way as model.fit and
    // PyTorch: same digits, batch, optimizer and rate (its softmax/cross-entropy from logits and flat Adam are the
    // same functions, see src/jobs/train-model.ts); then the faster of the two is the backend's figure.
    const jobComparable = job !== null && typeof job.samplesPerSecond === 'number' && job.examples === EXAMPLES && job.batch === BATCH && job.optimizer === 'adam' && job.learningRate === 1e-3;
    const useJob = jobComparable && job.samplesPerSecond! > fit.samplesPerSecond;
    const sps = useJob ? job.samplesPerSecond! : fit.samplesPerSecond;
    const gflops = (sps * MFLOP_PER_SAMPLE) / 1000;
    summary[name] = {
      samplesPerSecond: Math.round(sps * 10) / 10,
      measuredWith: useJob ? 'job loop (src/jobs/train-model.ts: same model, digits, batch 32 and Adam 1e-3 as model.fit and PyTorch)' : 'model.fit',
      modelFitSamplesPerSecond: Math.round(fit.samplesPerSecond * 10) / 10,
      instrumentedJobSamplesPerSecond: typeof job?.samplesPerSecond === 'number' ? Math.round(job.samplesPerSecond * 10) / 10 : null,
      jobStepMode: job?.stepMode ?? null,
      eagerJobSamplesPerSecond: (b as { eagerJob?: Run }).eagerJob?.samplesPerSecond ? Math.round((b as { eagerJob: Run }).eagerJob.samplesPerSecond! * 10) / 10 : null,
      epochLoss: round4(useJob ? job.loss : fit.loss),
      pytorchEpochLoss: round4(torch ? (torch as { loss?: number }).loss : undefined),
      achievedGflops: Math.round(gflops * 100) / 100,
      shareOfFlopCeiling: ceiling ? Math.round((gflops / ceiling) * 1000) / 1000 : null,
      ratioToPytorch: torch ? Math.round((sps / torch.samplesPerSecond) * 1000) / 1000 : null,
    };
  }
  return {
    examples: EXAMPLES,
    cpuBackendExamples: CPU_EXAMPLES,
    batchSize: BATCH,
    mflopPerTrainingSample: MFLOP_PER_SAMPLE,
    flopCeilingGflops: ceiling,
    loadAverage1m: os.loadavg()[0],
    loadAverage1mAtStart: loadAtStart,
    summary,
    pytorch: torch,
    pytorchNote: torchAvailable ? undefined : 'python3 has no torch: `pip install torch` (CPU wheel) to compare',
    python,
    backends,
  };
}
