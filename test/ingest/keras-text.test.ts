import { describe, expect, it } from 'vitest';
import { seriesNamed } from '../support/ingest-helpers.ts';
import { kerasTextParser } from '../../src/ingest/keras-text.ts';


const TF2 = `2024-01-01 12:00:00.000 I tensorflow/core/platform/cpu_feature_guard.cc:193] This TensorFlow binary is optimized
Epoch 1/3
1875/1875 [==============================] - 5s 2ms/step - loss: 0.2946 - accuracy: 0.9145 - val_loss: 0.1409 - val_accuracy: 0.9585
Epoch 2/3
1875/1875 [==============================] - 4s 2ms/step - loss: 0.1411 - accuracy: 0.9582 - val_loss: 0.1059 - val_accuracy: 0.9680
Epoch 3/3
1875/1875 [==============================] - 4s 2ms/step - loss: nan - accuracy: 0.0987 - val_loss: nan - val_accuracy: 0.0980
`;

describe('Keras fit() console output', () => {
  it('sniffs Epoch N/M lines with loss values', () => {
    expect(kerasTextParser.sniff(TF2)).toBe(true);
    expect(kerasTextParser.sniff('Epoch 1/3 was great\nloss went down\n')).toBe(false);
  });

  it('reads one point per epoch, 1-based, NaN kept', () => {
    const [run] = kerasTextParser.parse(TF2, 'fit.txt');
    expect(run!.format).toBe('keras_text');
    expect(run!.name).toBe('fit');
    const loss = seriesNamed(run!, 'loss');
    expect(Array.from(loss.steps)).toEqual([1, 2, 3]);
    expect(Array.from(loss.values)).toEqual([0.2946, 0.1411, NaN]);
    expect(loss.cadence).toBe('epoch');
    expect(seriesNamed(run!, 'val_accuracy')).toMatchObject({ key: 'accuracy', split: 'val' });
    expect(run!.series.map((s) => s.name)).not.toContain('ETA');
  });

  it('takes the last state of progress bars redrawn with \\r and \\b', () => {
    const cr = 'Epoch 1/2\n 1/10 [..] - ETA: 3s - loss: 2.3000 - acc: 0.1000\r 5/10 [=>] - ETA: 1s - loss: 1.9000 - acc: 0.2000\r10/10 [==] - 1s 100ms/step - loss: 1.5000 - acc: 0.3000 - val_loss: 1.4000 - val_acc: 0.3500\n' +
      'Epoch 2/2\n 1/10 [..] - ETA: 3s - loss: 1.2000\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x08\x0810/10 [==] - 1s - loss: 1.1000 - acc: 0.4000 - val_loss: 1.3000 - val_acc: 0.3600\n';
    const [run] = kerasTextParser.parse(cr, 'bar.log');
    expect(Array.from(seriesNamed(run!, 'loss').values)).toEqual([1.5, 1.1]);
    expect(Array.from(seriesNamed(run!, 'val_acc').values)).toEqual([0.35, 0.36]);
  });

  it('reads Keras 3 output (━ bars, metric order alphabetical) and ANSI colours', () => {
    const k3 = 'Epoch 1/2\n\x1b[1m469/469\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1m3s\x1b[0m 5ms/step - accuracy: 0.8600 - loss: 0.4700 - val_accuracy: 0.9500 - val_loss: 0.1700\nEpoch 2/2\n469/469 ━━━━━━━━━━━━━━━━━━━━ 2s 4ms/step - accuracy: 0.9600 - loss: 0.1300 - val_accuracy: 0.9700 - val_loss: 0.1000\n';
    const [run] = kerasTextParser.parse(k3, 'k3.log');
    expect(Array.from(seriesNamed(run!, 'val_loss').values)).toEqual([0.17, 0.1]);
  });

  it('splits a second fit() call into a second run', () => {
    const twice = TF2 + 'Epoch 1/1\n10/10 - 1s - loss: 0.5\n';
    const runs = kerasTextParser.parse(twice, 'fit.txt');
    expect(runs.map((r) => r.name)).toEqual(['fit', 'fit (run 2)']);
    expect(Array.from(seriesNamed(runs[1]!, 'loss').values)).toEqual([0.5]);
  });

  it("what follows the last epoch is not its state: evaluate()'s bar and the script's 'Test loss:' print", () => {
    const fit = 'Epoch 1/2\n5/5 ━━━━ 0s 40ms/step - accuracy: 0.5400 - loss: 0.6800 - val_accuracy: 0.5900 - val_loss: 0.6700\n' +
      'Epoch 2/2\n5/5 ━━━━ 0s 41ms/step - accuracy: 0.7300 - loss: 0.6100 - val_accuracy: 0.6900 - val_loss: 0.6100\n';
    const after = '4/4 ━━━━ 0s 13ms/step - accuracy: 0.7321 - loss: 0.5647\nTest loss: 0.5647209286689758\nTest accuracy: 0.7321428656578064\n4/4 ━━━━ 0s 20ms/step\n';
    const [run] = kerasTextParser.parse(fit + after, 'fit.log');
    expect(run!.series.map((s) => [s.name, [...s.values]])).toEqual([
      ['accuracy', [0.54, 0.73]],
      ['loss', [0.68, 0.61]],
      ['val_accuracy', [0.59, 0.69]],
      ['val_loss', [0.67, 0.61]],
    ]);
    // An evaluate() bar of as many batches as the epoch's: no validation, so not the validated epoch's state.
    const [same] = kerasTextParser.parse(fit + '5/5 ━━━━ 0s 13ms/step - accuracy: 0.7321 - loss: 0.5647\n', 'fit.log');
    expect([...seriesNamed(same!, 'loss').values]).toEqual([0.68, 0.61]);
  });

  it('fails when no epoch printed metrics', () => {
    expect(() => kerasTextParser.parse('Epoch 1/2\nKilled\n', 'dead.log')).toThrow(/dead\.log:1: no metrics found/);
  });
});
