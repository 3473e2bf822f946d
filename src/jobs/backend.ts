/**
 * Picks the fastest TensorFlow.js backend that works here: native TensorFlow (@tensorflow/tfjs-node, an optional
 * dependency that only exists after a successful install or `npm run setup:tfjs-node`), then wasm, then the pure-JS
 * cpu backend. Every job records which one ran, because a 700× speed difference changes what a run can be.
 */
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { registerWasmConv2dBackpropFilter } from './wasm-conv2d-backprop-filter.ts';
import { registerNativeGradients } from './native-gradients.ts';

import { BACKEND_NAMES, parseBackendOrder, type BackendName } from './backend-names.ts';
export { BACKEND_NAMES, parseBackendOrder, type BackendName };

export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  /** Why a backend was passed over ("Cannot find module '@tensorflow/tfjs-node'"). */
  error?: string;
}

export interface LoadedBackend {
  name: BackendName;
  /** Every backend tried, in order, with the reason the earlier ones failed. */
  attempts: BackendAttempt[];
}

const require = createRequire(import.meta.url);

async function tryBackend(name: BackendName): Promise<void> {
  if (name === 'tensorflow') {
    // TensorFlow's C++ logging otherwise fills stderr with oneDNN banners on load.
    process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
    // tfjs-node registers the 'tensorflow' backend on the shared @tensorflow/tfjs engine as a side effect.
    require('@tensorflow/tfjs-node');
    registerNativeGradients();
  } else if (name === 'wasm') {
    await import('@tensorflow/tfjs-backend-wasm');
    registerWasmConv2dBackpropFilter();
  }
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
}

/** Tries each backend in order and leaves the first that works active. Throws only when none works. */
export async function loadBackend(order: readonly BackendName[] = parseBackendOrder(process.env.RUNMEDIC_TF_BACKEND)): Promise<LoadedBackend> {
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    try {
      await tryBackend(name);
      attempts.push({ name, ok: true });
      return { name, attempts };
    } catch (e) {
      attempts.push({ name, ok: false, error: e instanceof Error ? e.message.split('\n')[0] : String(e) });
    }
  }
  throw new Error(`no TensorFlow.js backend works: ${attempts.map((a) => `${a.name}: ${a.error}`).join('; ')}`);
}

/** Whether the native backend could load, without switching to it. */
export function nativeBackendInstalled(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}
