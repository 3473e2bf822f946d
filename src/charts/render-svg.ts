import * as coreModule from 'echarts/core';
import * as chartsModule from 'echarts/charts';
import * as componentsModule from 'echarts/components';
import * as renderersModule from 'echarts/renderers';
import type * as Core from 'echarts/types/dist/core';
import type * as Charts from 'echarts/types/dist/charts';
import type * as Components from 'echarts/types/dist/components';
import type * as Renderers from 'echarts/types/dist/renderers';

// echarts' tree-shakable entry points re-export their types without file extensions, which NodeNext resolution
// cannot follow; the same declarations are reachable through echarts/types/dist/*.
const echarts = coreModule as unknown as typeof Core;
const { LineChart, ScatterChart } = chartsModule as unknown as typeof Charts;
const { GraphicComponent, GridComponent, MarkAreaComponent, MarkLineComponent } = componentsModule as unknown as typeof Components;
const { SVGRenderer } = renderersModule as unknown as typeof Renderers;

// Registering only what the charts use keeps ECharts' import and init cheap; `use` is idempotent.
echarts.use([LineChart, ScatterChart, GridComponent, MarkLineComponent, MarkAreaComponent, GraphicComponent, SVGRenderer]);

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
