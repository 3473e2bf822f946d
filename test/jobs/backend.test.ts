import { describe, it, expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadBackend, parseBackendOrder, nativeBackendInstalled } from '../../src/jobs/backend.ts';

describe('parseBackendOrder', () => {
  it('defaults to native, then wasm, then cpu', () => {
    expect(parseBackendOrder(undefined)).toEqual(['tensorflow', 'wasm', 'cpu']);
    expect(parseBackendOrder('  ')).toEqual(['tensorflow', 'wasm', 'cpu']);
  });
  it('reads a comma list', () => {
    expect(parseBackendOrder('wasm, cpu')).toEqual(['wasm', 'cpu']);
  });
  it('rejects an unknown backend by name', () => {
    expect(() => parseBackendOrder('wasm,gpu')).toThrow(/unknown TensorFlow.js backend "gpu"/);
  });
});

describe('loadBackend', () => {
  it('activates the requested backend and reports it', async () => {
    const cpu = await loadBackend(['cpu']);
    expect(cpu).toEqual({ name: 'cpu', attempts: [{ name: 'cpu', ok: true }] });
    expect(tf.getBackend()).toBe('cpu');
    const wasm = await loadBackend(['wasm', 'cpu']);
    expect(wasm.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    // The wasm backend can train convolutions once loaded through here.
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  it('takes the native backend when it is installed, and says why it fell back when not', async () => {
    const loaded = await loadBackend(['tensorflow', 'wasm']);
    if (nativeBackendInstalled() && loaded.attempts[0]!.ok) {
      expect(loaded.name).toBe('tensorflow');
      expect(tf.getBackend()).toBe('tensorflow');
    } else {
      expect(loaded.name).toBe('wasm');
      expect(loaded.attempts[0]).toMatchObject({ name: 'tensorflow', ok: false });
      expect(loaded.attempts[0]!.error).toBeTruthy();
    }
    await tf.setBackend('cpu');
  });
});
