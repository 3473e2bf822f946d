/**
 * The marker drawn where a line has NaN/±Inf: a downward triangle pinned to the top edge of its plot (outside the
 * clip, offset so its tip touches the edge), so a missing value is seen where it happened instead of as a gap.
 */

export interface NanMarkerOptions {
  /** x positions (drawn x coordinates) of the non-finite points. */
  xs: readonly number[];
  /** Drawn y of the plot's top edge. */
  yTop: number;
  colour: string;
  /** Triangle size in px. */
  size: number;
  /** Grid (panel) index; the first grid when omitted. */
  panel?: number;
}

export function nanMarkerSeries({ xs, yTop, colour, size, panel }: NanMarkerOptions) {
  return {
    type: 'scatter' as const,
    ...(panel !== undefined ? { xAxisIndex: panel, yAxisIndex: panel } : {}),
    silent: true,
    clip: false,
    symbol: 'triangle',
    symbolRotate: 180,
    symbolSize: size,
    symbolOffset: [0, 5],
    itemStyle: { color: colour },
    data: xs.map((x) => [x, yTop]),
    z: 6,
  };
}
