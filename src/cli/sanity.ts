import { readFile, stat } from 'node:fs/promises';
import type { CliArgs, CliCommand, CliContext } from './command.ts';
import { UsageError } from './usage-error.ts';
import { IngestError } from '../ingest/ingest-error.ts';
import { checkedBackendOrder } from './train.ts';
import type { CustomInputs } from '../app/custom-check.ts';

/** Exit code when a sanity check fails (as diagnose's). */
export const EXIT_SANITY_FAILS = 1;

async function readInput(file: string, maxBytes: number): Promise<Uint8Array> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (e) {
    throw new IngestError({ file, reason: `cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
  }
  if (size > maxBytes) throw new IngestError({ file, reason: `${size} bytes, over the limit of ${maxBytes} (INGEST_MAX_BYTES)` });
  return new Uint8Array(await readFile(file));
}

export const sanityCommand: CliCommand = {
  name: 'sanity',
  summary: "sanity-check your own model on your data before a long run: loss at initialisation against ln K, overfit one batch, loss depends on the inputs",
  args: '--model M.json --data FILE',
  maxArgs: 0,
  exitCodes: '0 every check passes, 1 a check fails, 2 bad input (a file, a layer TensorFlow.js cannot build, a model that does not fit the data)',
  options: {
    model: { type: 'string', valueName: 'FILE', description: 'required: a Keras model.to_json() (Keras 2 or 3) or a TensorFlow.js model.json' },
    data: { type: 'string', valueName: 'FILE', description: 'required: a CSV with a label column, an .npy/.npz, or a zip of image folders (as datacheck reads)' },
    label: { type: 'string', valueName: 'COLUMN', description: 'the CSV column holding the label' },
    loss: { type: 'string', valueName: 'L', description: "crossentropy (default; from logits when the last layer is linear) or mse; a model with several inputs or outputs takes each output's loss from its compile config" },
    steps: { type: 'string', valueName: 'N', description: 'steps allowed to overfit the batch (default 500)' },
    backend: { type: 'string', valueName: 'B', description: 'backend preference, as for train' },
    json: { type: 'boolean', description: 'print the report as JSON' },
  },
  async run(ctx, { values }) {
    const loss = values.loss ?? 'crossentropy';
    if (loss !== 'crossentropy' && loss !== 'mse') throw new UsageError(`--loss: expected crossentropy or mse, got "${String(loss)}"`, 'sanity');
    const steps = values.steps === undefined ? undefined : Number(values.steps);
    if (steps !== undefined && (!Number.isInteger(steps) || steps < 1 || steps > 10_000)) throw new UsageError(`--steps: expected a whole number 1–10000, got "${String(values.steps)}"`, 'sanity');
    const backendOrder = checkedBackendOrder(values.backend, process.env.RUNMEDIC_TF_BACKEND, 'sanity');
    const inputs = await readModelAndData(ctx, values, backendOrder, 'sanity');
    const [{ sanityOf }, { toJson }] = await Promise.all([import('../app/custom-check.ts'), import('./format.ts')]);
    // Only a --loss given: a model with several outputs takes each output's loss from its compile config.
    const r = await sanityOf(inputs, { loss: values.loss === undefined ? undefined : loss, steps });
    ctx.err(`backend: ${r.backend}`);
    const report = r.report;
    if (values.json) ctx.out(toJson({ model: r.source, data: inputs.dataName, ...report }));
    else {
      const icon = { pass: '✅', warn: '⚠️', fail: '❌', unknown: '❔' } as const;
      ctx.out(`${icon[report.status]} sanity of ${inputs.modelName} (${r.source}) on ${inputs.dataName}: ${report.loss}, one batch of ${report.batch}`);
      if (report.io) {
        const shape = (d: number[]) => `(${d.join(', ')}${d.length === 1 ? ',' : ''})`;
        ctx.out(`   inputs: ${report.io.inputs.map((x) => `'${x.name}' ${shape(x.shape)}`).join(', ')}`);
        ctx.out(`   outputs: ${report.io.outputs.map((x) => `'${x.name}' ${x.loss}${x.weight !== 1 ? ` × ${x.weight}` : ''} on ${x.targets}${x.judged ? ' (judged: the loss at initialisation, the accuracy)' : ''}`).join('; ')}`);
      }
      for (const n of r.notes) ctx.out(`   note: ${n}`);
      for (const item of report.items) {
        ctx.out(`${icon[item.status]} ${item.title}: ${item.summary}`);
        if (item.fix) ctx.out(`     fix: ${item.fix}`);
      }
    }
    return report.status === 'fail' ? EXIT_SANITY_FAILS : 0;
  },
};

/** Reads --model and --data (held to INGEST_MAX_BYTES) for sanity and lrfind. */
export async function readModelAndData(ctx: CliContext, values: CliArgs['values'], backendOrder: string | undefined, command: string): Promise<CustomInputs> {
  if (typeof values.model !== 'string') throw new UsageError('--model is required: a Keras model.to_json() or a TensorFlow.js model.json', command);
  if (typeof values.data !== 'string') throw new UsageError('--data is required: a CSV, an .npy/.npz or a zip of image folders', command);
  const [modelBytes, dataBytes] = await Promise.all([readInput(values.model, ctx.config.ingestMaxBytes), readInput(values.data, ctx.config.ingestMaxBytes)]);
  return {
    modelBytes,
    modelName: values.model.split(/[\\/]/).pop()!,
    dataBytes,
    dataName: values.data.split(/[\\/]/).pop()!,
    maxBytes: ctx.config.ingestMaxBytes,
    labelColumn: typeof values.label === 'string' ? values.label : undefined,
    backendOrder,
  };
}
