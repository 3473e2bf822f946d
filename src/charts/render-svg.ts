import { createRequire } from 'node:module';
import type * as Core from 'echarts/types/dist/core';

// ECharts' prebuilt bundle (what `require('echarts')` resolves to: one file, every chart and component registered)
// loads in ~0.2 s; its tree-shakable ESM entry points (echarts/core, /charts, /components, /renderers) are hundreds
// of modules that Node's ESM loader resolves one by one, ~1.2 s in every process that draws (a `runmedic chart`, the
// bot, a job's child). The charts use only line and scatter series with grid, markLine, markArea and graphic
// components and set no option of another component, so the extra registrations draw nothing: the SVG is byte for
// byte what the tree-shaken build gave. The types come from echarts/types/dist/*, as NodeNext resolution needs.
const echarts = createRequire(import.meta.url)('echarts') as typeof Core;

export type ChartOption = Core.EChartsCoreOption;

/** Renders an ECharts option to an SVG string with the server-side SVG renderer; no DOM, no canvas, no I/O. */
export function renderOptionToSvg(option: ChartOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}
