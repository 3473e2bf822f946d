/**
 * The copy-paste Keras client (examples/clients/keras_callback.py) against the API over a real socket:
 * - its HTTP helper alone with python3 (no Keras needed), the way the issue asks;
 * - its Keras Callback given to a real `model.fit` when Keras is installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHarness, CLIENTS_DIR, commandWorks, missingPythonModules, runClient } from './api-harness.ts';

const PYTHON = commandWorks('python3');
const MISSING = PYTHON ? missingPythonModules('keras') : ['python3'];
if (!PYTHON) console.warn('keras-client.test: skipped, python3 not found');
else if (MISSING.length) console.warn('keras-client.test: real model.fit test skipped, python3 lacks keras');

const HELPER = `
import json, sys
sys.path.insert(0, sys.argv[1])
from keras_callback import Runmedic
rm = Runmedic("py-client", sys.argv[2], sys.argv[3], config={"learningRate": 0.01, "batchSize": 64}, classes=10)
for epoch in range(5):
    loss = 2.0 / (epoch + 1)
    rm.log(epoch, {"loss": loss, "val_loss": float("nan") if epoch == 4 else loss * 1.2, "accuracy": 0.5 + epoch / 20}, epoch=epoch)
rm.log(4, {"loss": 0.4})  # a retry of a step already sent: dropped by the server
out = {"id": rm.run_id, "status": rm.finish()["status"]}
refused = Runmedic("py-refused", sys.argv[2], "rmk_revoked")  # must not raise: training goes on unmonitored
out["refused"] = [refused.run_id, refused.log(0, {"loss": 1.0}), refused.finish()]
print("RESULT " + json.dumps(out))
`;

describe.skipIf(!PYTHON)('Keras client, its HTTP helper with python3', () => {
  let h: ApiHarness;
  let result: any;
  beforeAll(async () => {
    h = await ApiHarness.start();
    const token = await h.token('333333333333333333');
    result = (await runClient('python3', ['-c', HELPER, CLIENTS_DIR, h.api.url, token], { timeoutMs: 30_000 })).result;
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('creates a run, pushes epochs (NaN as null), drops a resent step, and finishes it', async () => {
    expect(result.status).toBe('finished');
    const run = (await h.runs.getRun(result.id))!;
    expect(run.name).toBe('py-client');
    expect(run.status).toBe('finished');
    expect(run.points).toBe(15);
    const val = run.series.find((s) => s.name === 'val_loss')!;
    expect(val.cadence).toBe('epoch');
    expect(Number.isNaN(val.values[4])).toBe(true);
    expect([...run.series.find((s) => s.name === 'loss')!.values]).toEqual([2, 1, 2 / 3, 0.5, 0.4]);
    expect((await h.push.pushedRun(result.id))?.context).toEqual({ config: { learningRate: 0.01, batchSize: 64 }, classes: 10 });
  });

  it('does not raise when the server refuses the token (it used to fail on the missing run id)', async () => {
    expect(result.refused).toEqual([null, {}, {}]);
    expect((await h.runs.listRuns()).map((r) => r.name)).toEqual(['py-client']);
  });
});

const FIT = `
import json, os, sys, time
started = time.time()
sys.path.insert(0, sys.argv[1])
import numpy as np, keras
from keras_callback import runmedic_callback
imported = time.time() - started
keras.utils.set_random_seed(0)
x, y = np.random.randn(64, 8).astype("float32"), np.random.randint(0, 3, 64)
model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer=keras.optimizers.SGD(0.05), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
cb = runmedic_callback("keras-mlp", sys.argv[2], sys.argv[3], config={"learningRate": 0.05, "batchSize": 16}, classes=3)
history = model.fit(x, y, batch_size=16, epochs=3, validation_split=0.25, callbacks=[cb], verbose=0)
print("RESULT " + json.dumps({"id": cb.rm.run_id, "history": history.history, "importSeconds": round(imported, 1)}))
`;

describe.skipIf(MISSING.length > 0)('Keras client, its Callback in a real model.fit', () => {
  let h: ApiHarness;
  let result: any;
  beforeAll(async () => {
    h = await ApiHarness.start();
    const token = await h.token('333333333333333333');
    const out = await runClient('python3', ['-c', FIT, CLIENTS_DIR, h.api.url, token], { env: { TF_CPP_MIN_LOG_LEVEL: '2' }, timeoutMs: 170_000 });
    result = out.result;
    console.info(`keras-client.test: python3 took ${out.ms} ms (importing keras: ${result.importSeconds} s)`);
  }, 180_000);
  afterAll(async () => {
    await h?.stop();
  });

  it("creates the run with the given config plus fit's epoch count, and finishes it at on_train_end", async () => {
    const run = (await h.runs.getRun(result.id))!;
    expect(run.name).toBe('keras-mlp');
    expect(run.status).toBe('finished');
    expect(run.meta).toMatchObject({ framework: 'keras', config: { learningRate: 0.05, batchSize: 16, epochs: 3 } });
    expect((await h.push.pushedRun(run.id))?.context).toEqual({ config: { learningRate: 0.05, batchSize: 16, epochs: 3 }, classes: 3 });
  });

  it('stores one point per epoch for every metric in the History, with its values', async () => {
    const run = (await h.runs.getRun(result.id))!;
    const history: Record<string, number[]> = result.history;
    expect(Object.keys(history)).toEqual(expect.arrayContaining(['loss', 'accuracy', 'val_loss', 'val_accuracy']));
    expect(run.series.map((s) => s.name).sort()).toEqual(Object.keys(history).sort());
    for (const s of run.series) {
      expect([...s.steps]).toEqual([0, 1, 2]);
      expect([...s.epochs!]).toEqual([0, 1, 2]);
      expect(s.cadence).toBe('epoch');
      expect([...s.values]).toEqual(history[s.name]);
    }
  });
});
