import { describe, expect, it } from 'vitest';
import type { RunLog } from '../../src/domain/run.ts';
import type { FileEntry } from '../../src/ingest/entries.ts';
import { IngestError } from '../../src/ingest/ingest-error.ts';
import { isMlflowTree, parseMlflowTree } from '../../src/ingest/mlflow.ts';
import { ingestErrorOf as ingestError, seriesNamed as series } from '../support/ingest-helpers.ts';

// python3 has no mlflow here, so the store is written by hand following MLflow's FileStore layout:
// <exp>/meta.yaml, <exp>/<run>/meta.yaml, metrics/<key> ("<ms> <value> <step>" lines), params/<key>, tags/<key>.
const enc = new TextEncoder();
const file = (path: string, text: string): FileEntry => ({ path, bytes: enc.encode(text) });
const metric = (rows: Array<[number, number | string, number?]>) => rows.map(([t, v, s]) => (s === undefined ? `${t} ${v}` : `${t} ${v} ${s}`)).join('\n') + '\n';

const RUN_A = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const RUN_B = 'ffeeddccbbaa99887766554433221100';

function runMeta(runId: string, extra = ''): string {
  return `artifact_uri: file:///home/u/mlruns/1/${runId}/artifacts\nend_time: 1700000300000\nentry_point_name: ''\nexperiment_id: '1'\nlifecycle_stage: active\nrun_id: ${runId}\nrun_name: meta-name-${runId.slice(0, 4)}\nrun_uuid: ${runId}\nsource_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: 1700000000000\nstatus: 3\ntags: []\nuser_id: u\n${extra}`;
}

function store(prefix: string): FileEntry[] {
  return [
    file(`${prefix}0/meta.yaml`, "artifact_location: file:///home/u/mlruns/0\nexperiment_id: '0'\nlifecycle_stage: active\nname: Default\n"),
    file(`${prefix}1/meta.yaml`, "artifact_location: file:///home/u/mlruns/1\ncreation_time: 1700000000000\nexperiment_id: '1'\nlast_update_time: 1700000000000\nlifecycle_stage: active\nname: cifar-resnet\n"),
    file(`${prefix}1/${RUN_A}/meta.yaml`, runMeta(RUN_A)),
    file(`${prefix}1/${RUN_A}/metrics/train/loss`, metric([[1700000001000, 2.3, 0], [1700000002000, 1.9, 100], [1700000003000, 'nan', 200], [1700000004000, 1.2, 300]])),
    file(`${prefix}1/${RUN_A}/metrics/val/loss`, metric([[1700000002500, 2.0, 100], [1700000004500, 1.5, 300]])),
    file(`${prefix}1/${RUN_A}/metrics/epoch`, metric([[1700000001000, 0, 0], [1700000002000, 0, 100], [1700000003000, 1, 200], [1700000004000, 1, 300]])),
    file(`${prefix}1/${RUN_A}/metrics/lr-AdamW`, metric([[1700000001000, 0.001, 0], [1700000004000, 0.0005, 300]])),
    file(`${prefix}1/${RUN_A}/metrics/system/cpu_utilization_percentage`, metric([[1700000001000, 55.5, 0]])),
    file(`${prefix}1/${RUN_A}/params/batch_size`, '128'),
    file(`${prefix}1/${RUN_A}/params/optimizer/name`, 'AdamW'),
    file(`${prefix}1/${RUN_A}/tags/mlflow.runName`, 'resnet18-baseline'),
    file(`${prefix}1/${RUN_A}/tags/team`, 'vision'),
    file(`${prefix}1/${RUN_A}/artifacts/model/metrics/not-a-metric`, 'binary-ish'),
    file(`${prefix}1/${RUN_B}/meta.yaml`, runMeta(RUN_B)),
    file(`${prefix}1/${RUN_B}/metrics/loss`, metric([[1700000001000, 0.9, 0], [1700000002000, 0.7, 1], [1700000003000, 0.6, 2]])),
    file(`${prefix}1/${RUN_B}/metrics/val_loss`, metric([[1700000001000, 1.0, 0], [1700000002000, 0.8, 1], [1700000003000, 0.75, 2]])),
  ];
}

describe('MLflow file store', () => {
  it('recognises a store whether the mlruns dir, its parent, an experiment or a run was ingested', () => {
    expect(isMlflowTree(store('mlruns/'))).toBe(true);
    expect(isMlflowTree(store(''))).toBe(true);
    const experiment = store('').filter((e) => e.path.startsWith('1/')).map((e) => ({ ...e, path: e.path.slice(2) }));
    expect(isMlflowTree(experiment)).toBe(true);
    const run = experiment.filter((e) => e.path.startsWith(`${RUN_B}/`)).map((e) => ({ ...e, path: e.path.slice(RUN_B.length + 1) }));
    expect(isMlflowTree(run)).toBe(true);
    expect(parseMlflowTree(run, RUN_B)[0]!.series.map((s) => s.name)).toEqual(['loss', 'val_loss']);
  });

  it('does not claim other trees', () => {
    expect(isMlflowTree([file('logs/metrics.csv', 'epoch,loss\n0,1\n'), file('logs/hparams.yaml', 'lr: 1\n')])).toBe(false);
    expect(isMlflowTree([file('lightning_logs/version_0/metrics/loss', '1 2 3\n')])).toBe(false); // no meta.yaml, params or tags
    expect(isMlflowTree([file('mlruns/0/meta.yaml', 'name: Default\n')])).toBe(false); // no runs with metrics
  });

  it('one RunLog per run; keys with "/" from nested dirs; epochs from the logged epoch metric; names from tags', () => {
    const runs = parseMlflowTree(store('mlruns/'), 'mlruns');
    expect(runs.map((r) => r.name)).toEqual(['resnet18-baseline', 'meta-name-ffee']);
    const a = runs[0]!;
    expect(a.format).toBe('mlflow');
    expect(a.series.map((s) => `${s.name}:${s.key}/${s.split}`).sort()).toEqual(['lr-AdamW:lr/train', 'train/loss:loss/train', 'val/loss:loss/val']);
    const loss = series(a, 'train/loss');
    expect([...loss.steps]).toEqual([0, 100, 200, 300]);
    expect(loss.values[2]).toBeNaN();
    expect([...loss.epochs!]).toEqual([0, 0, 1, 1]);
    expect([...loss.wallTimes!]).toEqual([1700000001, 1700000002, 1700000003, 1700000004]);
    expect(loss.cadence).toBe('step');
    expect([...series(a, 'val/loss').values]).toEqual([2.0, 1.5]);
    expect(a.meta).toMatchObject({
      framework: 'mlflow',
      runId: RUN_A,
      experimentId: '1',
      experimentName: 'cifar-resnet',
      status: 'FINISHED',
      startTime: 1700000000000,
      params: { batch_size: '128', 'optimizer/name': 'AdamW' },
      tags: { team: 'vision', 'mlflow.runName': 'resnet18-baseline' },
    });
    expect(a.notes.join(' ')).toMatch(/1 MLflow system metrics/);
  });

  it('reads Keras-autolog-style runs (step = epoch, train and val twins) as per-epoch', () => {
    const b = parseMlflowTree(store('mlruns/'), 'mlruns')[1]!;
    expect(series(b, 'val_loss')).toMatchObject({ key: 'loss', split: 'val', cadence: 'epoch' });
    expect([...series(b, 'val_loss').epochs!]).toEqual([0, 1, 2]);
  });

  it('numbers old two-field lines (no step) in file order, saying so', () => {
    const entries = [file('r/meta.yaml', runMeta('r')), file('r/metrics/loss', metric([[1, 0.5], [2, 0.4]]))];
    const [run] = parseMlflowTree(entries, 'old');
    expect([...series(run!, 'loss').steps]).toEqual([0, 1]);
    expect(run!.notes.join(' ')).toMatch(/loss: 2 lines without a step/);
  });

  it('puts values logged out of step order back in order', () => {
    const entries = [file('r/meta.yaml', runMeta('r')), file('r/metrics/loss', metric([[3, 0.3, 20], [1, 0.5, 0], [2, 0.4, 10]]))];
    expect([...series(parseMlflowTree(entries, 'x')[0]!, 'loss').values]).toEqual([0.5, 0.4, 0.3]);
  });

  it.each([
    ['1700000001000 0.5 0\n1700000002000 0.4 1 extra\n', 2, '4 fields'],
    ['1700000001000 0.5 0\n\n1700000003000 high 2\n', 3, 'the value is not a number'],
    ['2023-01-01 0.5 0\n', 1, 'the timestamp is not an integer'],
    ['1700000001000 0.5 1.5\n', 1, 'the step is not an integer'],
    ['1700000001000\n', 1, '1 field'],
  ])('a malformed line %j → IngestError naming the file and line %i', (text, line, what) => {
    const entries = [...store('mlruns/'), file(`mlruns/1/${RUN_A}/metrics/val/acc/top1`, text)];
    const e = ingestError(() => parseMlflowTree(entries, 'upload'));
    expect(e.file).toBe(`upload/mlruns/1/${RUN_A}/metrics/val/acc/top1`);
    expect(e.line).toBe(line);
    expect(e.reason).toContain(what);
    expect(e.reason).toContain('expected "<timestamp ms> <value> [<step>]"');
  });

  it('skips deleted runs and the .trash folder; all deleted is an error', () => {
    const entries = [
      ...store('mlruns/').filter((e) => !e.path.includes(RUN_B)),
      file(`mlruns/1/${RUN_B}/meta.yaml`, runMeta(RUN_B).replace('lifecycle_stage: active', 'lifecycle_stage: deleted')),
      file(`mlruns/1/${RUN_B}/metrics/loss`, metric([[1, 0.5, 0]])),
      file('mlruns/.trash/7/abc/meta.yaml', runMeta('abc')),
      file('mlruns/.trash/7/abc/metrics/loss', metric([[1, 0.5, 0]])),
    ];
    expect(parseMlflowTree(entries, 'mlruns').map((r) => r.name)).toEqual(['resnet18-baseline']);
    const onlyDeleted = [file('r/meta.yaml', 'run_id: r\nlifecycle_stage: deleted\n'), file('r/metrics/loss', metric([[1, 0.5, 0]]))];
    expect(ingestError(() => parseMlflowTree(onlyDeleted, 'mlruns')).reason).toMatch(/all 1 MLflow runs with metrics are deleted/);
  });

  it('leaves out runs that logged only system metrics; only such runs is an error', () => {
    const sys = [file('s/meta.yaml', runMeta('s')), file('s/metrics/system/gpu_0_utilization_percentage', metric([[1, 90, 0]]))];
    expect(parseMlflowTree([...store('mlruns/'), ...sys.map((e) => ({ ...e, path: `mlruns/1/${e.path}` }))], 'mlruns')).toHaveLength(2);
    expect(ingestError(() => parseMlflowTree(sys, 'mlruns')).reason).toMatch(/1 run\(s\) logged only system metrics/);
  });

  it('invalid UTF-8 in a metric file names the file', () => {
    const entries = [file('r/meta.yaml', runMeta('r')), { path: 'r/metrics/loss', bytes: new Uint8Array([0x31, 0x20, 0xff, 0x0a]) }];
    const e = ingestError(() => parseMlflowTree(entries, 'up'));
    expect(e.file).toBe('up/r/metrics/loss');
    expect(e.reason).toContain('invalid UTF-8');
  });
});
