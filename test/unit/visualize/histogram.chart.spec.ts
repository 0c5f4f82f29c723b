import { histogramSpec, PANEL_WIDTH } from '../../../src/visualize/histogram.chart';
import type { WeightHistogram } from '../../../src/visualize/weight-histogram';

const histogram: WeightHistogram = {
  count: 32,
  min: 0.731,
  max: 1.24,
  mean: 0.98,
  std: 0.1,
  binEdges: [0.731, 1, 1.24],
  counts: [20, 12],
};

/** The subtitle lines of a panel's spec. */
function subtitleOf(context: string): string[] {
  const spec = histogramSpec({ title: 'w', context, histogram }) as {
    title: { subtitle: string[]; subtitleFontSize: number; limit: number };
  };
  return spec.title.subtitle;
}

/** Vega's width of a line without a canvas, written out: 0.8 x font size per character. */
const estimated = (line: string): number => 0.8 * 10 * line.length;

describe('histogramSpec subtitles', () => {
  it('keeps the range on the layer line when it fits', () => {
    expect(subtitleOf('Conv weight 32x1x3x3')).toEqual([
      'Conv weight 32x1x3x3 · min 0.731 · max 1.24',
      'n=32 · mean 0.980 · std 0.100',
    ]);
  });

  it('gives the range a line of its own rather than cut its end (a BatchNormalization scale)', () => {
    const lines = subtitleOf('BatchNormalization scale 32');

    expect(lines).toEqual([
      'BatchNormalization scale 32',
      'min 0.731 · max 1.24',
      'n=32 · mean 0.980 · std 0.100',
    ]);
    expect(estimated('BatchNormalization scale 32 · min 0.731 · max 1.24')).toBeGreaterThan(
      PANEL_WIDTH - 10,
    );
    for (const line of lines) {
      expect(estimated(line)).toBeLessThanOrEqual(PANEL_WIDTH - 10);
    }
  });
});
