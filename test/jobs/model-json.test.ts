/** Uploaded model descriptions → TensorFlow.js: real Keras 3 to_json() files (Sequential MLP, functional CNN) and a TensorFlow.js model.json. */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { parseModelJson } from '../../src/jobs/custom/model-json.ts';
import { IngestError } from '../../src/ingest/ingest-error.ts';

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'models', name));
const enc = (s: string) => new TextEncoder().encode(s);
const build = (spec: ReturnType<typeof parseModelJson>) => tf.models.modelFromJSON({ modelTopology: spec.topology } as unknown as Parameters<typeof tf.models.modelFromJSON>[0]);

describe('model JSON', () => {
  it('Keras 3 to_json() of a Sequential MLP and of a functional CNN (written by Keras 3.15.1) build in TensorFlow.js', async () => {
    const mlp = parseModelJson(fixture('keras3-iris-mlp.json'), 'mlp.json');
    expect(mlp.notes).toContain('Keras 3 config rewritten to the Keras 2 form TensorFlow.js reads');
    const m1 = await build(mlp);
    expect(m1.inputs[0]!.shape).toEqual([null, 4]);
    expect(m1.outputs[0]!.shape).toEqual([null, 3]);
    const cnn = parseModelJson(fixture('keras3-mnist-cnn.json'), 'cnn.json');
    expect((cnn.topology as { class_name: string }).class_name).toBe('Model');
    const m2 = await build(cnn);
    expect(m2.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'Conv2D', 'MaxPooling2D', 'Flatten', 'Dense']);
    expect(m2.countParams()).toBe(8 * 9 + 8 + 13 * 13 * 8 * 10 + 10);
    m1.dispose();
    m2.dispose();
  });

  it('a TensorFlow.js model.json: its topology, and its training_config loss', async () => {
    const src = tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 7, activation: 'relu' }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
    const file = { format: 'layers-model', modelTopology: { ...(src.toJSON(null, false) as object), training_config: { loss: 'categorical_crossentropy' } }, weightsManifest: [] };
    // toJSON(null, false) gives the model config itself; a saved model.json nests it as modelTopology.model_config.
    const spec = parseModelJson(enc(JSON.stringify({ ...file, modelTopology: { model_config: src.toJSON(null, false), training_config: { loss: 'categorical_crossentropy' } } })), 'model.json');
    expect(spec.source).toBe('TensorFlow.js model.json');
    expect(spec.loss).toBe('categorical_crossentropy');
    expect(spec.notes).toContain('the weights the model.json points to are not read: the model trains from its initialisers');
    const m = await build(spec);
    expect(m.outputs[0]!.shape).toEqual([null, 2]);
    m.dispose();
    src.dispose();
  });

  it("the losses a model was compiled with: Keras 3's compile_config, a TensorFlow.js model.json's trainingConfig; none in an uncompiled model", async () => {
    const k3 = parseModelJson(fixture('keras3-two-heads.json'), 'h.json');
    expect(k3.training).toMatchObject({ path: '$.compile_config', loss: { species: 'sparse_categorical_crossentropy', petal_area: { class_name: 'MeanSquaredError' } }, lossWeights: { species: 1, petal_area: 0.5 } });
    const tfjs = parseModelJson(fixture('tfjs-two-inputs-two-outputs.json'), 'm.json');
    expect(tfjs.training).toEqual({ path: '$.trainingConfig', loss: { species: 'categorical_crossentropy', petal_area: 'mean_absolute_error' }, lossWeights: null });
    expect(parseModelJson(fixture('keras3-two-outputs.json'), 't.json').training).toBeUndefined();
    // Both build in TensorFlow.js with their two inputs and two outputs.
    for (const spec of [parseModelJson(fixture('keras3-multi-io.json'), 'x.json'), tfjs]) {
      const m = await build(spec);
      expect([m.inputs.length, m.outputs.length]).toEqual([2, 2]);
      m.dispose();
    }
  });

  it('what is not a model says what was expected', () => {
    const msg = (s: string) => {
      try {
        parseModelJson(enc(s), 'm.json');
      } catch (e) {
        if (e instanceof IngestError) return e.message;
        throw e;
      }
      return 'no error';
    };
    expect(msg('{nope')).toMatch(/^m\.json: not JSON \(.*\): expected a Keras model\.to_json\(\) or a TensorFlow\.js model\.json$/);
    expect(msg('[1,2]')).toBe('m.json: expected a JSON object: a Keras model.to_json() or a TensorFlow.js model.json');
    expect(msg('{"class_name": "Dense", "config": {}}')).toBe('m.json at $.class_name: a Dense: expected Sequential, Functional or Model');
    expect(msg('{"loss": 1}')).toBe('m.json at $: expected a model: an object with class_name (Sequential, Functional, Model) and config');
  });
});
