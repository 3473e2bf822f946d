import { describe, expect, it } from 'vitest';
import { planRunChart, renderRunChart, renderRunChartSvg } from '../../src/charts/run-chart.ts';
import { item, noisyStepRun, overfittingRun, overfittingVerdict, series, verdictOf } from './fixtures.ts';
import { overlaps, pngSize, svgTexts, textBox } from './png.ts';

const texts = (svg: string) => svgTexts(svg).map((t) => t.text);

describe('renderRunChart', () => {
  const run = overfittingRun();
  const verdict = overfittingVerdict(run);

  it('writes a PNG of the requested size (scale multiplies it)', () => {
    const img = renderRunChart(run, verdict);
    expect(pngSize(img.png)).toEqual({ width: 800, height: 450 });
    expect(img.png.byteLength).toBeGreaterThan(5_000);
    const big = renderRunChart(run, verdict, { width: 640, height: 360, scale: 2 });
    expect(pngSize(big.png)).toEqual({ width: 1280, height: 720 });
    expect([big.width, big.height]).toEqual([1280, 720]);
  });

  it('titles the chart with the run name and verdict status, and names the splits in a legend', () => {
    const t = texts(renderRunChartSvg(run, verdict));
    expect(t).toContain('cnn-cifar10-overfit');
    expect(t).toContain('FAIL');
    expect(t).toEqual(expect.arrayContaining(['train', 'validation']));
    expect(t).toContain('Validation loss rises after epoch 12 while training loss keeps falling (+1 more)');
  });

  it('draws loss, accuracy and lr panels with named axes and formatted numbers', () => {
    const plan = planRunChart(run, verdict);
    expect(plan.panels.map((p) => p.kind)).toEqual(['loss', 'metric', 'lr']);
    expect(plan.xMode).toBe('epoch');
    const t = texts(renderRunChartSvg(run, verdict));
    expect(t).toEqual(expect.arrayContaining(['loss', 'accuracy ↑', 'lr', 'epoch']));
    expect(t).toEqual(expect.arrayContaining(['1e-4', '1e-5', '0.001'])); // lr steps 1e-3 → 1e-5: log axis
  });

  it('marks the verdict: a labelled rule at the onset, a labelled dot at the best epoch, a labelled band', () => {
    const svg = renderRunChartSvg(run, verdict);
    expect(texts(svg)).toEqual(expect.arrayContaining(['overfitting starts', 'best val loss', 'early stopping would stop here']));
    const opt = planRunChart(run, verdict).option as { series: Array<{ type: string; markLine?: { data: Array<{ xAxis: number }> }; markArea?: { data: unknown[][] } }> };
    const rules = opt.series.flatMap((s) => s.markLine?.data ?? []);
    expect(rules.map((r) => r.xAxis)).toContain(12);
    const bands = opt.series.flatMap((s) => s.markArea?.data ?? []);
    expect(bands[0]).toMatchObject([{ xAxis: 15 }, { xAxis: 29 }]);
    expect(opt.series.filter((s) => s.type === 'scatter').length).toBeGreaterThanOrEqual(1);
  });

  it('draws a band two items mark over the same range once, with the worse item\'s label', () => {
    const band = (label: string) => ({ series: 'val_loss', step: 15, toStep: 29, label, kind: 'band' as const });
    const v = verdictOf(run, [item({ id: 'early_stopping_missing', status: 'warn', marks: [band('after early stop')] }), item({ id: 'overfitting', status: 'fail', marks: [band('saved by early stopping')] })]);
    const t = texts(renderRunChartSvg(run, v));
    expect(t).toContain('saved by early stopping');
    expect(t).not.toContain('after early stop');
    const areas = (verdict: typeof v) => (planRunChart(run, verdict).option as { series: Array<{ markArea?: { data: unknown[][] } }> }).series.flatMap((s) => s.markArea?.data ?? []);
    // As many shaded areas (one per panel) as for the one item alone.
    expect(areas(v)).toHaveLength(areas(verdictOf(run, [item({ id: 'overfitting', status: 'fail', marks: [band('saved by early stopping')] })])).length);
  });

  it('keeps mark labels from overlapping when onsets are close together', () => {
    const marks = [10, 10.5, 11, 11.5, 12].map((step, i) => ({ series: 'val_loss', step, label: `onset number ${i}` }));
    const v = verdictOf(run, [item({ id: 'many', status: 'fail', marks })]);
    const labels = svgTexts(renderRunChartSvg(run, v)).filter((t) => t.text.startsWith('onset number'));
    expect(labels.length).toBeGreaterThanOrEqual(3);
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) expect(overlaps(textBox(labels[i]!), textBox(labels[j]!))).toBe(false);
    }
  });

  it('switches the loss axis to log when it spans more than two decades, and keeps it linear otherwise', () => {
    expect(planRunChart(run, verdict).panels[0]!.y.type).toBe('value');
    const steep = { name: 'steep', series: [series('loss', 'train', [8, 2, 0.5, 0.1, 0.03, 0.01])] };
    const plan = planRunChart(steep, null);
    expect(plan.panels[0]!.y).toMatchObject({ type: 'log', min: 0.01, max: 10 });
    expect(texts(renderRunChartSvg(steep, null))).toContain('loss (log)');
  });

  it('puts a towering start off the scale only in a long run: with a few points every point stays on the chart', () => {
    const decay = Array.from({ length: 40 }, (_, i) => (i === 0 ? 3.8 : 0.13 + 0.9 * Math.exp(-i / 6)));
    const long = planRunChart({ name: 'long', series: [series('loss', 'train', decay)] }, null).panels[0]!;
    expect(long.offScale).toEqual({ value: 3.8 });
    expect(long.y.max).toBeLessThan(3.8);

    // The reviewer's 2-epoch run: the y axis was 1.14–1.24 and half the data was off it.
    const twoPoints = { name: 'two', series: [series('loss', 'train', [2.31, 1.15]), series('loss', 'val', [1.4, 1.22])] };
    const p = planRunChart(twoPoints, null).panels[0]!;
    expect(p.offScale).toBeNull();
    expect(p.y.min).toBeLessThanOrEqual(1.15);
    expect(p.y.max).toBeGreaterThanOrEqual(2.31);
    expect(texts(renderRunChartSvg(twoPoints, null)).some((t) => t.includes('off scale'))).toBe(false);
  });

  it('shows NaN/Inf as markers at the top edge with a label, not silently dropped', () => {
    const values = [1, 0.8, 0.6, NaN, NaN, Infinity, 0.5];
    const r = { name: 'nan-run', series: [series('loss', 'train', values), series('loss', 'val', [1, 0.9, 0.8, 0.7, 0.7, 0.7, 0.7])] };
    const plan = planRunChart(r, null);
    const line = plan.panels[0]!.lines[0]!;
    expect(line.prepared.nonFinite).toEqual([{ x: 3, index: 3, kind: 'NaN/Inf', count: 3 }]);
    const opt = plan.option as { series: Array<{ type: string; symbol?: string; data: unknown[] }> };
    const triangles = opt.series.filter((s) => s.type === 'scatter' && s.symbol === 'triangle');
    expect(triangles).toHaveLength(1);
    expect(triangles[0]!.data).toEqual([[3, plan.panels[0]!.y.max]]);
    expect(texts(renderRunChartSvg(r, null))).toContain('train loss NaN/Inf from epoch 3 (3 points)');
  });

  it('says so when a loss is NaN throughout (a run that never produced a number)', () => {
    const r = { name: 'all-nan', series: [series('loss', 'train', [NaN, NaN, NaN, NaN])] };
    const t = texts(renderRunChartSvg(r, null));
    expect(t).toContain('train loss NaN throughout');
    expect(t).toContain('no finite loss value to draw');
  });

  it('draws a step-level million-point run from ~1,500 points per line, raw faint plus smoothed bold, spike kept', () => {
    const big = noisyStepRun(1_000_000, { nanFrom: 900_000 });
    const v = verdictOf(big, [item({ id: 'nan_loss', status: 'fail', title: 'Loss becomes NaN', marks: [{ series: 'loss', step: 9_000_000, label: 'first NaN' }] })]);
    const plan = planRunChart(big, v);
    const opt = plan.option as { series: Array<{ type: string; data: Array<[number, number | '-']>; lineStyle?: { opacity: number } }> };
    const lines = opt.series.filter((s) => s.type === 'line' && s.data.length > 0);
    expect(lines).toHaveLength(3); // loss raw, loss EMA, lr
    for (const l of lines) expect(l.data.length).toBeLessThanOrEqual(1_600);
    expect(lines[0]!.lineStyle!.opacity).toBeLessThan(0.5);
    expect(lines[1]!.lineStyle!.opacity).toBe(1);
    // the spike, drawn as log10 on the log axis
    expect(10 ** Math.max(...lines[0]!.data.map((d) => (typeof d[1] === 'number' ? d[1] : -Infinity)))).toBeCloseTo(40, 6);
    expect(plan.panels[0]!.y.type).toBe('log');
    expect(plan.xMode).toBe('epoch');

    const svg = renderRunChartSvg(big, v);
    const vertices = (svg.match(/[ML]-?\d/g) ?? []).length;
    expect(vertices).toBeLessThan(8_000); // everything drawn, axes included, from a 2 M-point run
    expect(texts(svg)).toEqual(expect.arrayContaining(['first NaN', 'train loss NaN from epoch 2.7 (100k points)']));
  });

  it('draws the light theme on white and the dark theme on Discord grey', () => {
    expect(renderRunChartSvg(run, verdict, { theme: 'light' })).toMatch(/fill="#ffffff"|fill="#fff"/i);
    expect(renderRunChartSvg(run, verdict)).toMatch(/#313338/);
  });

  it('picks the run’s own metric when there is no accuracy, with its direction', () => {
    const r = { name: 'asr', series: [series('loss', 'train', [3, 2, 1]), series('wer', 'val', [0.6, 0.4, 0.3], { direction: 'lower' })] };
    expect(texts(renderRunChartSvg(r, null))).toContain('wer ↓');
  });

  it('renders a run with nothing drawable as a message instead of failing', () => {
    const r = { name: 'empty', series: [series('epoch_time', 'train', [1, 2])] };
    expect(texts(renderRunChartSvg(r, null))).toContain('no loss, metric or learning-rate series to draw');
  });
});
