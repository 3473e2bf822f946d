/**
 * A custom job's files checked the way its child will read them (custom-job.ts: the model built, the data read,
 * shaped and mapped to the model's inputs and outputs), before the job is queued for a worker (`runmedic train
 * --queue`): a bad upload is refused now, as bad input naming the file, the entry and what was expected, instead of
 * sitting in the queue until a worker fails it. Runs on TensorFlow.js' plain-JS backend: only shapes matter here.
 */
import type { CustomJobConfig } from '../jobs/job-config.ts';

/** Throws the IngestError the job's child would, or returns the notes on how the files were read. */
export async function checkCustomJobFiles(config: CustomJobConfig): Promise<string[]> {
  const [tf, { loadBackend }, { setUpCustomJob }] = await Promise.all([import('@tensorflow/tfjs'), import('../jobs/backend.ts'), import('../jobs/custom/custom-job.ts')]);
  // Production mode: the plain-JS backend's "install our node backend" banner is no message for this user.
  tf.enableProdMode();
  await loadBackend(['cpu']);
  const { built, data } = await setUpCustomJob(tf, config);
  built.model.dispose();
  return data.notes;
}
