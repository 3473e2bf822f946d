/**
 * What a job trains, set up from its config alone: a preset's network and data (presets.ts, prepare-data.ts), or a
 * team's own model and data from the files the config carries (custom/custom-job.ts). The job's child and its range
 * test (job-range-test.ts) start here, so both see the same network and the same examples.
 */
import { buildModel, type BuiltModel } from './build-model.ts';
import { isCustomJob, type JobConfig, type PresetJobConfig } from './job-config.ts';
import { prepareData, type PreparedData } from './prepare-data.ts';

export interface JobSetup {
  built: BuiltModel;
  data: PreparedData;
}

/** Needs a TensorFlow.js backend loaded (backend.ts). A custom job's files at fault throw an IngestError. */
export async function setUpJob(config: JobConfig): Promise<JobSetup> {
  if (isCustomJob(config)) {
    const [{ setUpCustomJob }, tf] = await Promise.all([import('./custom/custom-job.ts'), import('@tensorflow/tfjs')]);
    return setUpCustomJob(tf, config);
  }
  const data = prepareData(config);
  return { built: buildModel(config as PresetJobConfig, data.train.inputShape, data.train.classes), data };
}
