/**
 * The TensorFlow.js backend names and the preference-list parser, apart from backend.ts so that the CLI can check
 * `--backend` and RUNMEDIC_TF_BACKEND when it parses its options without loading TensorFlow.js (seconds).
 */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** Reads a preference list such as "wasm,cpu" (from RUNMEDIC_TF_BACKEND); unknown names are an error, not ignored. */
export function parseBackendOrder(spec: string | undefined): BackendName[] {
  if (spec === undefined || spec.trim() === '') return [...BACKEND_NAMES];
  const names = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) {
    if (!(BACKEND_NAMES as readonly string[]).includes(n)) {
      throw new Error(`unknown TensorFlow.js backend "${n}" (expected one of ${BACKEND_NAMES.join(', ')})`);
    }
  }
  return names as BackendName[];
}
