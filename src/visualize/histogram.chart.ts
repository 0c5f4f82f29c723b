import type { TopLevelSpec } from 'vega-lite';

import { vegaTextWidth } from './vega-text-width';
import type { WeightHistogram } from './weight-histogram';

export interface HistogramPanel {
  readonly title: string;
  /** Layer type, role and shape, shown under the title. */
  readonly context: string;
  readonly histogram: WeightHistogram;
}

export const PANEL_WIDTH = 400;
export const PANEL_HEIGHT = 210;

const fmt = (value: number): string => value.toPrecision(3);

const SUBTITLE_FONT = 10;
const TITLE_LIMIT = PANEL_WIDTH - 10;

/**
 * Layer, range, then count and moments; the range gets a line of its own when
 * the layer's line would be cut (a BatchNormalization scale, a large shape).
 */
function subtitleLines(panel: HistogramPanel): string[] {
  const { histogram } = panel;
  const range = `min ${fmt(histogram.min)} · max ${fmt(histogram.max)}`;
  const moments = `n=${histogram.count} · mean ${fmt(histogram.mean)} · std ${fmt(histogram.std)}`;
  const oneLine = `${panel.context} · ${range}`;
  return vegaTextWidth(oneLine, SUBTITLE_FONT) <= TITLE_LIMIT
    ? [oneLine, moments]
    : [panel.context, range, moments];
}

/** Counts are whole numbers: a chart whose tallest bar is small gets one tick per count, not 0.2 steps. */
function countAxis(
  counts: readonly number[],
): { tickCount: number } | { values: number[]; format: string } {
  const peak = Math.max(0, ...counts);
  return peak < 4
    ? { values: Array.from({ length: peak + 1 }, (_, i) => i), format: 'd' }
    : { tickCount: 4 };
}

/** A Vega-Lite bar chart of precomputed bins (x from edge to edge, y the count), exactly PANEL_WIDTH x PANEL_HEIGHT. */
export function histogramSpec(panel: HistogramPanel): TopLevelSpec {
  const { histogram } = panel;
  const bins = histogram.counts.map((count, i) => ({
    start: histogram.binEdges[i],
    end: histogram.binEdges[i + 1],
    count,
  }));
  const showsZero = histogram.binEdges[0] <= 0 && histogram.binEdges.at(-1)! >= 0;

  return {
    width: PANEL_WIDTH,
    height: PANEL_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    background: 'white',
    title: {
      text: panel.title,
      subtitle: subtitleLines(panel),
      fontSize: 11,
      subtitleFontSize: SUBTITLE_FONT,
      anchor: 'start',
      limit: TITLE_LIMIT,
    },
    layer: [
      {
        data: { values: bins },
        mark: { type: 'bar', color: '#4c78a8' },
        encoding: {
          x: {
            field: 'start',
            type: 'quantitative',
            bin: { binned: true },
            title: 'value',
            axis: { tickCount: 5 },
          },
          x2: { field: 'end' },
          y: {
            field: 'count',
            type: 'quantitative',
            title: 'count',
            axis: countAxis(histogram.counts),
          },
        },
      },
      ...(showsZero
        ? [
            {
              data: { values: [{ zero: 0 }] },
              mark: { type: 'rule' as const, color: '#d62728', strokeDash: [3, 3] },
              encoding: { x: { field: 'zero', type: 'quantitative' as const } },
            },
          ]
        : []),
    ],
  };
}
