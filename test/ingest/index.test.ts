import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import { IngestError, parseEntries, parseFile } from '../../src/ingest/index.ts';
import { REAL_LOGS_DIR } from '../support/real-logs.ts';

const KERAS = 'epoch,loss,val_loss\n0,1.0,1.1\n1,0.5,0.9\n';
const LIGHTNING = 'epoch,step,train_loss,val_loss\n0,9,1.0,\n0,9,,0.8\n';

function caught(f: () => unknown): IngestError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(IngestError);
    return e as IngestError;
  }
  throw new Error('expected an IngestError');
}

describe('parseFile', () => {
  it('sniffs the content, never the extension', () => {
    expect(parseFile(strToU8(KERAS), 'looks-like.json')[0]!.format).toBe('keras_csv');
    expect(parseFile(strToU8(LIGHTNING), 'history.txt')[0]!.format).toBe('lightning_csv');
    expect(parseFile(strToU8('{"loss": [1, 0.5], "val_loss": [1.2, 0.8]}'), 'log.csv')[0]!.format).toBe('keras_history');
    expect(parseFile(strToU8('Epoch 1/1\n1/1 - 0s - loss: 0.5\n'), 'a.csv')[0]!.format).toBe('keras_text');
  });

  it('reads a UTF-8 BOM and UTF-16 (PowerShell redirection) like plain UTF-8', () => {
    const plain = parseFile(strToU8(KERAS), 'a.csv');
    expect(parseFile(new Uint8Array([0xef, 0xbb, 0xbf, ...strToU8(KERAS)]), 'a.csv')).toEqual(plain);
    const le = new Uint8Array(2 + KERAS.length * 2);
    le[0] = 0xff;
    le[1] = 0xfe;
    for (let i = 0; i < KERAS.length; i++) le[2 + 2 * i] = KERAS.charCodeAt(i);
    expect(parseFile(le, 'a.csv')).toEqual(plain);
  });

  it('refuses empty files, binary garbage and invalid UTF-8 with specific reasons', () => {
    expect(caught(() => parseFile(new Uint8Array(0), 'e.csv')).reason).toMatch(/^empty file/);
    expect(caught(() => parseFile(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0]), 'a.out')).reason).toMatch(/^not a text log: binary data/);
    const bad = caught(() => parseFile(new Uint8Array([...strToU8('epoch,loss\n0,'), 0xff, 0x0a]), 'l.csv'));
    expect(bad.reason).toMatch(/^invalid UTF-8 at byte 13/);
    expect(bad.line).toBe(2);
  });

  it('refuses a table without a loss-like column with the specific error', () => {
    const e = caught(() => parseFile(strToU8('epoch,accuracy,f1\n0,0.5,0.4\n'), 'metrics.csv'));
    expect(e.reason).toMatch(/^no loss-like column: expected one of loss, val_loss/);
    expect(e.line).toBe(1);
  });

  it('refuses unrecognised text listing what it expected', () => {
    expect(caught(() => parseFile(strToU8('just some notes\n'), 'notes.txt')).reason).toMatch(/^not a recognised training log: expected a Keras CSVLogger file/);
  });

  it('refuses a line of megabytes in a line-oriented log', () => {
    const text = `${KERAS}${'9'.repeat(2 * 1024 * 1024)}\n`;
    const e = caught(() => parseFile(strToU8(text), 'huge.csv'));
    expect(e.line).toBe(4);
    expect(e.reason).toMatch(/exceeds the limit of 1048576/);
  });

  it('opens a zip holding several logs; names runs after their folders when file names repeat', () => {
    const zip = zipSync({
      'lightning_logs/version_0/metrics.csv': strToU8(LIGHTNING),
      'lightning_logs/version_1/metrics.csv': strToU8(LIGHTNING),
      'keras/training.log': strToU8(KERAS),
      'README.md': strToU8('# my runs\n'),
      'plot.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]),
    });
    const runs = parseFile(zip, 'runs.zip');
    expect(runs.map((r) => r.name)).toEqual(['training', 'lightning_logs/version_0/metrics', 'lightning_logs/version_1/metrics']);
    expect(runs[0]!.notes.join(' ')).toMatch(/skipped 2 file\(s\) that are not training logs: README\.md \(not a recognised training log\), plot\.png \(not a text log\)/);
  });

  it('does not open an archive inside an archive', () => {
    const inner = zipSync({ 'training.log': strToU8(KERAS) });
    const outer = zipSync({ 'inner.zip': inner, 'a/training.log': strToU8(KERAS) });
    const runs = parseFile(outer, 'outer.zip');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.notes.join(' ')).toMatch(/inner\.zip \(archive inside an archive: not opened\)/);
  });

  it('is all-or-nothing: a file that looks like a log and fails fails the whole archive', () => {
    const zip = zipSync({ 'good.log': strToU8(KERAS), 'bad.log': strToU8('epoch,loss\n0,1\n1,oops\n') });
    const e = caught(() => parseFile(zip, 'mixed.zip'));
    expect(e.file).toBe('mixed.zip/bad.log');
    expect(e.line).toBe(3);
  });

  it('fails when an archive holds no log at all', () => {
    const zip = zipSync({ 'README.md': strToU8('hello\n') });
    expect(caught(() => parseFile(zip, 'empty.zip')).reason).toMatch(/^no training logs found among 1 file\(s\): skipped README\.md/);
  });
});

describe('parseEntries', () => {
  it('gives an MLflow store to the MLflow reader and other files to parseFile', () => {
    const entries = [
      { path: 'mlruns/0/meta.yaml', bytes: strToU8('name: Default\n') },
      { path: 'mlruns/0/abc/meta.yaml', bytes: strToU8('run_name: sunny\nstatus: 3\nlifecycle_stage: active\n') },
      { path: 'mlruns/0/abc/metrics/loss', bytes: strToU8('1700000000000 1.0 0\n1700000001000 0.5 1\n') },
      { path: 'notes/training.log', bytes: strToU8(KERAS) },
    ];
    const runs = parseEntries(entries, 'project');
    expect(runs.map((r) => r.format).sort()).toEqual(['keras_csv', 'mlflow']);
  });
});

describe.skipIf(!REAL_LOGS_DIR)('parseFile on real TensorBoard files', () => {
  const dir = path.join(REAL_LOGS_DIR ?? '', 'tfevents');
  it('dispatches an event file by content and a folder of them as a tree', () => {
    const file = path.join(dir, '04_tensorboardx');
    const name = readdirSync(file)[0]!;
    const runs = parseFile(readFileSync(path.join(file, name)), name);
    expect(runs[0]!.format).toBe('tfevents');
    const keras = path.join(dir, '01_keras_tf2');
    const entries = ['train', 'validation'].flatMap((sub) =>
      readdirSync(path.join(keras, sub)).filter((f) => statSync(path.join(keras, sub, f)).isFile()).map((f) => ({ path: `${sub}/${f}`, bytes: new Uint8Array(readFileSync(path.join(keras, sub, f))) })),
    );
    const tree = parseEntries(entries, '01_keras_tf2');
    expect(tree).toHaveLength(1);
    expect(tree[0]!.series.some((s) => s.split === 'val')).toBe(true);
  });
});
