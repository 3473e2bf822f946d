import { writeFile } from 'node:fs/promises';
import type { CliCommand } from './command.ts';
import { UsageError } from './usage-error.ts';
import { checkedBackendOrder } from './train.ts';
import { readModelAndData } from './sanity.ts';
import { OPTIMIZER_NAMES as RATE_OPTIMIZERS, type OptimizerName as RateOptimizerName } from '../jobs/job-config.ts';

export const lrfindCommand: CliCommand = {
  name: 'lrfind',
  summary: 'learning-rate range test of your own model on your data (1e-7 to 10, stopped when the loss explodes): the loss-vs-rate chart and a suggested rate',
  args: '--model M.json --data FILE',
  maxArgs: 0,
  exitCodes: '0 done (and a planned --lr is not too high), 1 the planned --lr is past where the loss turns, 2 bad input',
  options: {
    model: { type: 'string', valueName: 'FILE', description: 'required: a Keras model.to_json() (Keras 2 or 3) or a TensorFlow.js model.json' },
    data: { type: 'string', valueName: 'FILE', description: 'required: a CSV with a label column, an .npy/.npz, or a zip of image folders' },
    label: { type: 'string', valueName: 'COLUMN', description: 'the CSV column holding the label' },
    lr: { type: 'string', valueName: 'X', description: 'a rate you plan to train with: judged against the test' },
    optimizer: { type: 'string', valueName: 'O', description: `the optimizer you train with: ${RATE_OPTIMIZERS.join(', ')} (default adam)` },
    steps: { type: 'string', valueName: 'N', description: 'steps from 1e-7 to 10 (default 100)' },
    chart: { type: 'string', short: 'o', valueName: 'FILE', description: 'write the loss-vs-rate chart as a PNG' },
    backend: { type: 'string', valueName: 'B', description: 'backend preference, as for train' },
    json: { type: 'boolean', description: 'print the curve and the suggestion as JSON' },
  },
  async run(ctx, { values }) {
    const planned = values.lr === undefined ? undefined : Number(values.lr);
    if (planned !== undefined && !(planned > 0 && Number.isFinite(planned))) throw new UsageError(`--lr: expected a positive number, got "${String(values.lr)}"`, 'lrfind');
    const optimizer = (values.optimizer ?? 'adam') as RateOptimizerName;
    if (!RATE_OPTIMIZERS.includes(optimizer)) throw new UsageError(`--optimizer: expected one of ${RATE_OPTIMIZERS.join(', ')}, got "${String(optimizer)}"`, 'lrfind');
    const steps = values.steps === undefined ? undefined : Number(values.steps);
    if (steps !== undefined && (!Number.isInteger(steps) || steps < 10 || steps > 2000)) throw new UsageError(`--steps: expected a whole number 10–2000, got "${String(values.steps)}"`, 'lrfind');
    if (values.chart !== undefined && (typeof values.chart !== 'string' || values.chart.trim() === '')) throw new UsageError('--chart: expected the PNG file to write', 'lrfind');
    const backendOrder = checkedBackendOrder(values.backend, process.env.RUNMEDIC_TF_BACKEND, 'lrfind');
    const loaded = await readModelAndData(ctx, values, backendOrder, 'lrfind');
    const [{ lrFindOf }, { fmt }, { toJson }] = await Promise.all([import('../app/custom-check.ts'), import('../jobs/custom/lr-find.ts'), import('./format.ts')]);
    const r = await lrFindOf(loaded, { optimizer, steps, planned, chart: typeof values.chart === 'string' });
    ctx.err(`backend: ${r.backend}`);
    const s = r.suggestion;
    const verdict = r.verdict;
    if (typeof values.chart === 'string') {
      if (r.png) {
        await writeFile(values.chart, r.png);
        ctx.err(`chart: ${values.chart}`);
      } else ctx.err('chart: not written (it could not be drawn)');
    }
    if (values.json) ctx.out(toJson({ model: loaded.modelName, data: loaded.dataName, optimizer: r.optimizer, suggestion: s, planned: planned ?? null, verdict, points: r.points }));
    else {
      ctx.out(`${loaded.modelName} on ${loaded.dataName}: ${r.points.length} steps of ${r.optimizer} from 1e-7${s.divergedAt !== null ? `, stopped at ${fmt(s.divergedAt)} where the loss exploded` : ' to 10'}`);
      if (s.suggested === null) ctx.out('no suggestion: the loss never fell (check the model with `runmedic sanity`)');
      else {
        ctx.out(`suggested learning rate: ${fmt(s.suggested)}`);
        ctx.out(`   steepest descent at ${s.steepest === null ? '—' : fmt(s.steepest)}; loss minimum at ${fmt(s.minimum!)} (÷10: ${fmt(s.minimumOverTen!)})`);
      }
      if (verdict) ctx.out(`${{ pass: '✅', warn: '⚠️', fail: '❌' }[verdict.status]} your rate ${verdict.summary}`);
    }
    return verdict?.status === 'fail' ? 1 : 0;
  },
};
