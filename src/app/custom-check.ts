/**
 * Checks on a team's own model and data (issue 19): the sanity checks and the learning-rate range test, from the
 * bytes of an uploaded model description and data file. The CLI runs them here; the bot in a child process
 * (custom-check-process.ts), since they load TensorFlow.js and train.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { IngestError } from '../ingest/ingest-error.ts';
import type { DataTable } from '../datacheck/table.ts';
import type { ModelSpec } from '../jobs/custom/model-json.ts';
import type { SanityLoss, SanityReport } from '../jobs/custom/sanity.ts';
import type { LrPoint, LrSuggestion, LrVerdict, RateOptimizerName } from '../jobs/custom/lr-find.ts';

/** The seed of the initialisers a model file leaves unseeded, in the sanity checks and /lrfind. */
export const CHECK_SEED = 1;

export interface CustomInputs {
  modelBytes: Uint8Array;
  modelName: string;
  dataBytes: Uint8Array;
  dataName: string;
  maxBytes: number;
  labelColumn?: string;
  backendOrder?: string;
}

export interface BuiltModel {
  model: tfTypes.LayersModel;
  table: DataTable;
  spec: ModelSpec;
  backend: string;
}

export async function buildModelAndData(i: CustomInputs): Promise<BuiltModel> {
  const [{ parseModelJson, inputsAndOutputs }, { buildLayersModel, inputShapeOf, seededTopology }, { readDataFile }, { DEFAULT_READ_LIMITS }, { loadBackend, parseBackendOrder }, tf] = await Promise.all([
    import('../jobs/custom/model-json.ts'),
    import('../jobs/custom/custom-model.ts'),
    import('../datacheck/read/index.ts'),
    import('../datacheck/table.ts'),
    import('../jobs/backend.ts'),
    import('@tensorflow/tfjs'),
  ]);
  const spec = parseModelJson(i.modelBytes, i.modelName);
  const io = inputsAndOutputs(spec.topology);
  if (io.inputs.length > 1 || io.outputs.length > 1) {
    const count = (n: number, what: string, names: string[]) => `${n} ${what}${n === 1 ? '' : 's'} (${names.join(', ')})`;
    throw new IngestError({
      file: i.modelName,
      reason: `this check reads the data file as one input and one output, and this model has ${count(io.inputs.length, 'input', io.inputs)} and ${count(io.outputs.length, 'output', io.outputs)}: such a model is checked on the job its files make, which maps the data to each`,
    });
  }
  const table = readDataFile(i.dataBytes, i.dataName, { ...DEFAULT_READ_LIMITS, maxBytes: i.maxBytes }, { labelColumn: i.labelColumn });
  const backend = await loadBackend(parseBackendOrder(i.backendOrder ?? process.env.RUNMEDIC_TF_BACKEND));
  // Seeded: the same files give the same checks and the same range test twice.
  const model = await buildLayersModel(tf, seededTopology(spec.topology, CHECK_SEED), i.modelName);
  const inShape = (model.inputs[0]!.shape as Array<number | null>).slice(1);
  const per = inShape.reduce<number>((a, b) => a * (b ?? NaN), 1);
  if (!(per === table.featureSize)) {
    model.dispose();
    if (Number.isNaN(per)) inputShapeOf(model, i.modelName);
    throw new IngestError({ file: `${i.modelName} with ${i.dataName}`, reason: `the model takes inputs of shape (${inShape.join(', ')}) = ${per} values, the data's examples have ${table.featureSize} (${table.inputShape.join('×')})` });
  }
  return { model, table, spec, backend: backend.name };
}

export interface SanityOutcome {
  kind: 'sanity';
  source: string;
  backend: string;
  notes: string[];
  report: SanityReport;
}

export async function sanityOf(i: CustomInputs, o: { loss?: SanityLoss; steps?: number } = {}): Promise<SanityOutcome> {
  const { parseModelJson, inputsAndOutputs } = await import('../jobs/custom/model-json.ts');
  const spec = parseModelJson(i.modelBytes, i.modelName);
  const io = inputsAndOutputs(spec.topology);
  if (io.inputs.length > 1 || io.outputs.length > 1) return sanityOfJob(i, spec.source, o);
  const b = await buildModelAndData(i);
  const { runSanity, ModelDataMismatch } = await import('../jobs/custom/sanity.ts');
  try {
    const report = await runSanity(b.model, b.table, o);
    return { kind: 'sanity', source: b.spec.source, backend: b.backend, notes: [...b.spec.notes, ...b.table.notes], report };
  } catch (e) {
    if (e instanceof ModelDataMismatch) throw new IngestError({ file: `${i.modelName} with ${i.dataName}`, reason: e.message });
    throw e;
  } finally {
    b.model.dispose();
  }
}

/**
 * The sanity checks of a model with several inputs or outputs, on the job these files make (the model built and
 * rewritten, the data mapped to each input and output, each output's loss from the compile config: custom-job.ts),
 * with the job's default settings and the checks' seed.
 */
async function sanityOfJob(i: CustomInputs, source: string, o: { loss?: SanityLoss; steps?: number }): Promise<SanityOutcome> {
  if (o.loss !== undefined && o.loss !== 'crossentropy') {
    throw new IngestError({ file: i.modelName, reason: `a model with several inputs or outputs is checked with the loss of each output from its compile config (or the job's default), as its training job trains it: the ${o.loss} loss option applies to a model with one output` });
  }
  const [{ customJobConfig }, { setUpJob }, { loadBackend, parseBackendOrder }, { runSanityOfJob }] = await Promise.all([import('./custom-job-config.ts'), import('../jobs/job-setup.ts'), import('../jobs/backend.ts'), import('../jobs/custom/sanity.ts')]);
  const config = customJobConfig(i, { seed: CHECK_SEED });
  const backend = await loadBackend(parseBackendOrder(i.backendOrder ?? process.env.RUNMEDIC_TF_BACKEND));
  const { built, data } = await setUpJob(config);
  try {
    const report = await runSanityOfJob(built, data.train, { steps: o.steps });
    // The job's notes, without the model's name and source (the answer's heading says them) and the validation split.
    // The answer lists the inputs and outputs itself (report.io).
    const notes = data.notes.filter((n) => !/^(model|outputs|targets): /.test(n) && !/^(data: )?validation/.test(n));
    return { kind: 'sanity', source, backend: backend.name, notes, report };
  } finally {
    built.model.dispose();
  }
}

export interface LrFindOutcome {
  kind: 'lrfind';
  backend: string;
  optimizer: string;
  points: LrPoint[];
  suggestion: LrSuggestion;
  verdict: LrVerdict | null;
  /** The loss-vs-rate chart; null when it could not be drawn. */
  png: Uint8Array | null;
}

/** A custom job's files checked as its worker will read them (check-custom-job-files.ts), before it is queued. */
export interface JobCheckOutcome {
  kind: 'job-check';
  notes: string[];
}

/** The range test of a job's own network and data (a rerun's), run in the check's child. */
export interface JobLrFindOutcome {
  kind: 'job-lrfind';
  backend: string;
  optimizer: RateOptimizerName;
  batchSize: number;
  steps: number;
  suggestion: LrSuggestion;
}

export async function lrFindOf(i: CustomInputs, o: { optimizer?: RateOptimizerName; steps?: number; planned?: number; chart?: boolean } = {}): Promise<LrFindOutcome> {
  const [{ parseModelJson, inputsAndOutputs }, { lrFind, judgeRate }, { lrChartSvg }, { rasterise }] = await Promise.all([import('../jobs/custom/model-json.ts'), import('../jobs/custom/lr-find.ts'), import('../jobs/custom/lr-chart.ts'), import('../charts/rasterise.ts')]);
  const io = inputsAndOutputs(parseModelJson(i.modelBytes, i.modelName).topology);
  let r: { points: LrPoint[]; suggestion: LrSuggestion; optimizer: string };
  let backend: string;
  if (io.inputs.length > 1 || io.outputs.length > 1) {
    // Several inputs or outputs: the range test of the job these files make (the data mapped to each input and
    // output, the heads' losses summed as the job sums them), with the job's default settings.
    const [{ customJobConfig }, { jobRangeTest }, { loadBackend, parseBackendOrder }] = await Promise.all([import('./custom-job-config.ts'), import('../jobs/job-range-test.ts'), import('../jobs/backend.ts')]);
    const config = customJobConfig(i, { optimizer: o.optimizer ?? 'adam' });
    backend = (await loadBackend(parseBackendOrder(i.backendOrder ?? process.env.RUNMEDIC_TF_BACKEND))).name;
    r = await jobRangeTest(config, { steps: o.steps });
  } else {
    const b = await buildModelAndData(i);
    backend = b.backend;
    try {
      r = await lrFind(b.model, b.table, { optimizer: o.optimizer, steps: o.steps });
    } finally {
      b.model.dispose();
    }
  }
  const verdict = o.planned !== undefined ? judgeRate(o.planned, r.suggestion) : null;
  let png: Uint8Array | null = null;
  if (o.chart !== false) {
    try {
      png = rasterise(lrChartSvg(r.points, r.suggestion, `${i.modelName} on ${i.dataName}: loss vs learning rate (${r.optimizer})`, o.planned));
    } catch {
      png = null;
    }
  }
  return { kind: 'lrfind', backend, optimizer: r.optimizer, points: r.points, suggestion: r.suggestion, verdict, png };
}
