/** The child process of custom-check-process.ts: one sanity check or range test in, its outcome (or error) out. */
import { lrFindOf, sanityOf, type CustomInputs } from './custom-check.ts';
import { isIngestError } from '../ingest/ingest-error.ts';

export type CustomCheckRequest =
  | { kind: 'sanity'; inputs: CustomInputs; loss?: 'crossentropy' | 'mse' }
  | { kind: 'lrfind'; inputs: CustomInputs; planned?: number; optimizer?: 'adam' | 'sgd' };

process.once('message', (msg: CustomCheckRequest) => {
  const inputs = { ...msg.inputs, modelBytes: new Uint8Array(msg.inputs.modelBytes), dataBytes: new Uint8Array(msg.inputs.dataBytes) };
  const work = msg.kind === 'sanity' ? sanityOf(inputs, { loss: msg.loss }) : lrFindOf(inputs, { planned: msg.planned, optimizer: msg.optimizer });
  work.then(
    (outcome) => process.send!({ ok: true, outcome }, () => process.exit(0)),
    (e: unknown) =>
      process.send!(
        isIngestError(e) ? { ok: false, ingest: { file: e.file, line: e.line, path: e.path, reason: e.reason }, message: e.message } : { ok: false, message: e instanceof Error ? e.message : String(e) },
        () => process.exit(0),
      ),
  );
});
