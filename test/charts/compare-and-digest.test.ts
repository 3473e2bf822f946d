import { describe, expect, it } from 'vitest';
import { planCompareChart, renderCompareChart } from '../../src/charts/compare-chart.ts';
import { planDigestGrid, renderDigestGrid, sparkSeries } from '../../src/charts/digest-grid.ts';
import { DARK } from '../../src/charts/theme.ts';
import { noisyStepRun, overfittingRun, series } from './fixtures.ts';
import { pngSize, svgTexts } from './png.ts';

const texts = (svg: string) => svgTexts(svg).map((t) => t.text);

function epochRun(name: string, scale: number, withVal = true) {
  const n = 20;
  const loss = Array.from({ length: n }, (_, e) => scale * Math.exp(-e / 6) + 0.05);
  const s = [series('loss', 'train', loss), series('accuracy', 'train', loss.map((l) => 1 - l / (2 * scale)))];
  if (withVal) s.push(series('loss', 'val', loss.map((l) => l * 1.2)));
  return { name, series: s };
}

describe('renderCompareChart', () => {
  it('overlays up to six runs on validation loss, one palette colour each, with a legend of run names', () => {
    const runs = Array.from({ length: 6 }, (_, i) => epochRun(`run-${i + 1}`, 1 + i));
    const plan = planCompareChart(runs);
    expect(plan.metric).toBe('loss');
    expect(plan.split).toBe('val');
    expect(plan.lines.map((l) => l.colour)).toEqual(DARK.palette);
    const img = renderCompareChart(runs);
    expect(pngSize(img.png)).toEqual({ width: 800, height: 450 });
    expect(texts(img.svg)).toEqual(expect.arrayContaining(['validation loss · 6 runs', 'run-1', 'run-6']));
  });

  it('falls back to the training split when a run has no validation, and honours an explicit metric', () => {
    const runs = [epochRun('a', 1), epochRun('b', 2, false)];
    expect(planCompareChart(runs).split).toBe('train');
    const plan = planCompareChart(runs, { metric: 'accuracy' });
    expect(plan.metric).toBe('accuracy');
    expect(plan.y.max).toBeLessThanOrEqual(1);
  });

  it('marks each run’s best point (lowest for a loss)', () => {
    const plan = planCompareChart([overfittingRun()]);
    const val = overfittingRun().series[1]!.values;
    const bestEpoch = val.indexOf(Math.min(...val));
    expect(plan.lines[0]!.best).toEqual({ x: bestEpoch, value: val[bestEpoch] });
  });

  it('puts runs on steps when one of them cannot say its epochs', () => {
    const a = epochRun('epochs', 1);
    const b = { name: 'steps', series: [series('loss', 'train', [3, 2, 1], { cadence: 'step', steps: [0, 500, 1000] })] };
    expect(planCompareChart([a, b]).xMode).toBe('step');
  });

  it('names a run that lacks the metric instead of dropping it silently', () => {
    const c = { name: 'no-loss', series: [series('accuracy', 'val', [0.5, 0.6])] };
    expect(texts(renderCompareChart([epochRun('a', 1), c], { metric: 'loss' }).svg)).toContain('no-loss (no data)');
  });

  it('downsamples a long step-level run like the run chart does', () => {
    const plan = planCompareChart([noisyStepRun(200_000), epochRun('small', 1)], { metric: 'loss', split: 'train' });
    const opt = plan.option as { series: Array<{ type: string; data: unknown[] }> };
    for (const s of opt.series.filter((x) => x.type === 'line')) expect(s.data.length).toBeLessThanOrEqual(1_600);
  });

  it('refuses more than six runs and no run at all', () => {
    expect(() => planCompareChart([])).toThrow(/no runs/);
    expect(() => planCompareChart(Array.from({ length: 7 }, (_, i) => epochRun(`r${i}`, 1)))).toThrow(/at most 6/);
  });
});

describe('renderDigestGrid', () => {
  const items = [
    { run: overfittingRun(), status: 'fail' as const, caption: 'val_loss rises after epoch 12' },
    { run: epochRun('healthy-1', 1), status: 'pass' as const },
    { run: epochRun('warned', 2), status: 'warn' as const, caption: 'val_loss is noisy' },
    { run: { name: 'just-started', series: [] }, status: 'running' as const },
    { run: { name: 'nan-run', series: [series('loss', 'train', [1, NaN, NaN])] }, status: 'fail' as const },
  ];

  it('draws one cell per run with its name, status word, last value and caption, counted in the header', () => {
    const img = renderDigestGrid(items);
    expect(pngSize(img.png).width).toBe(800);
    const t = texts(img.svg);
    expect(t).toEqual(expect.arrayContaining(['cnn-cifar10-overfit', 'healthy-1', 'warned', 'failing', 'healthy', 'warning', 'running']));
    expect(t).toContain('2 failing · 1 warning · 1 healthy · 1 running');
    expect(t).toContain('val_loss rises after epoch 12');
    expect(t).toContain('no curve logged yet');
    expect(t).toContain('▼ NaN');
  });

  it('colours each sparkline by its status', () => {
    const opt = planDigestGrid(items).option as { series: Array<{ lineStyle: { color: string; opacity: number } }> };
    const colours = opt.series.filter((s) => s.lineStyle.opacity === 1).map((s) => s.lineStyle.color);
    expect(colours).toEqual([DARK.status.fail, DARK.status.pass, DARK.status.warn, DARK.status.fail]);
  });

  it('caps the grid and says how many runs were left out; grows in rows', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ run: epochRun(`r${i}`, 1), status: 'pass' as const }));
    const plan = planDigestGrid(many, { maxItems: 12 });
    expect(plan.hidden).toBe(18);
    expect(plan.columns).toBe(3);
    expect(texts(renderDigestGrid(many, { maxItems: 12 }).svg)).toContain('+18 more runs not shown');
    expect(planDigestGrid(many.slice(0, 6)).height).toBeLessThan(plan.height);
  });

  it('says so when the window has no run', () => {
    expect(texts(renderDigestGrid([]).svg)).toContain('no runs in this window');
  });

  it('prefers validation loss for the sparkline, then training loss, then the main metric', () => {
    expect(sparkSeries(overfittingRun().series)!.split).toBe('val');
    expect(sparkSeries(epochRun('x', 1, false).series)!.key).toBe('loss');
    expect(sparkSeries([series('accuracy', 'val', [0.1, 0.2])])!.key).toBe('accuracy');
  });
});
