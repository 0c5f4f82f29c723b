import sharp from 'sharp';
import type { TopLevelSpec } from 'vega-lite';

import type { RgbImage } from './rgb-image';
import { vegaTextWidth } from './vega-text-width';
import { renderVegaLite } from './vega-chart.renderer';

export interface RankedLabel {
  readonly label: string;
  readonly probability: number;
}

export interface PredictionCard {
  /** The upright input image as uploaded. */
  readonly image: RgbImage;
  readonly top: readonly RankedLabel[];
  readonly subtitle: string;
}

export const CARD_IMAGE_BOX = 256;
export const CARD_CHART_WIDTH = 400;
export const CARD_MARGIN = 12;
const BAR_ROW = 26;
const CHART_CHROME = 80;
const TITLE_FONT = 14;

export interface DisplaySize {
  readonly width: number;
  readonly height: number;
  /** Small images are enlarged by an integer factor with nearest neighbour, so their pixels stay honest. */
  readonly kernel: 'nearest' | 'lanczos3';
}

/** The image's size inside a box x box square: an integer enlargement when it fits, else a shrink to fit. */
export function displaySize(width: number, height: number, box = CARD_IMAGE_BOX): DisplaySize {
  const fit = box / Math.max(width, height);
  if (fit >= 1) {
    const factor = Math.floor(fit);
    return { width: width * factor, height: height * factor, kernel: 'nearest' };
  }
  return {
    width: Math.max(1, Math.round(width * fit)),
    height: Math.max(1, Math.round(height * fit)),
    kernel: 'lanczos3',
  };
}

/** Height of the bar chart: room for the title and one row per class, never shorter than the image box. */
export const chartHeight = (classes: number): number =>
  Math.max(CARD_IMAGE_BOX, CHART_CHROME + BAR_ROW * classes);

/** width = margin + image + margin + chart + margin; height = 2*margin + max(image, chart). */
export function cardSize(
  imageWidth: number,
  imageHeight: number,
  classes: number,
): { width: number; height: number } {
  const shown = displaySize(imageWidth, imageHeight);
  return {
    width: 3 * CARD_MARGIN + shown.width + CARD_CHART_WIDTH,
    height: 2 * CARD_MARGIN + Math.max(shown.height, chartHeight(classes)),
  };
}

/**
 * "Prediction: label (p%)" on one line when it fits the chart; else the
 * probability on the first line and the label, cut to fit, below it, so that
 * the probability is never the part lost.
 */
function titleLines(best: RankedLabel | undefined): string | string[] {
  if (best === undefined) {
    return 'Prediction';
  }
  const percent = `${(100 * best.probability).toFixed(1)}%`;
  const oneLine = `Prediction: ${best.label} (${percent})`;
  return vegaTextWidth(oneLine, TITLE_FONT) <= CARD_CHART_WIDTH
    ? oneLine
    : [`Prediction: ${percent}`, fitted(best.label)];
}

/**
 * A label cut to the chart's width with an ellipsis: a longer title line would
 * not be cut by Vega but would squeeze the plot to make room for itself.
 */
function fitted(label: string): string {
  if (vegaTextWidth(label, TITLE_FONT) <= CARD_CHART_WIDTH) {
    return label;
  }
  let kept = label;
  while (kept.length > 1 && vegaTextWidth(`${kept}…`, TITLE_FONT) > CARD_CHART_WIDTH) {
    kept = kept.slice(0, -1);
  }
  return `${kept.trimEnd()}…`;
}

/** Vega-Lite bars of the top-k probabilities, labels on the y axis, exactly CARD_CHART_WIDTH x chartHeight(k). */
export function predictionChartSpec(card: PredictionCard): TopLevelSpec {
  const rows = card.top.map((entry, rank) => ({
    label: `${rank + 1}. ${entry.label}`,
    probability: entry.probability,
    text: `${(100 * entry.probability).toFixed(1)}%`,
  }));
  const y = {
    field: 'label',
    type: 'nominal' as const,
    sort: null,
    title: null,
    axis: { labelLimit: 150 },
  };
  const x = {
    field: 'probability',
    type: 'quantitative' as const,
    scale: { domain: [0, 1] },
    axis: { format: '.0%', tickCount: 5 },
    title: 'probability',
  };

  return {
    width: CARD_CHART_WIDTH,
    height: chartHeight(card.top.length),
    autosize: { type: 'fit', contains: 'padding' },
    background: 'white',
    title: {
      text: titleLines(card.top[0]),
      subtitle: card.subtitle,
      anchor: 'start',
      fontSize: TITLE_FONT,
    },
    data: { values: rows },
    layer: [
      { mark: { type: 'bar', color: '#4c78a8' }, encoding: { y, x } },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
        encoding: { y, x, text: { field: 'text', type: 'nominal' } },
      },
    ],
  };
}

/** The upright input image with the top-k labels and their probability bars beside it, as a PNG. */
export async function renderPredictionCard(
  card: PredictionCard,
): Promise<{ png: Buffer; width: number; height: number }> {
  const shown = displaySize(card.image.width, card.image.height);
  const size = cardSize(card.image.width, card.image.height, card.top.length);
  const chart = await renderVegaLite(predictionChartSpec(card));
  const picture = await sharp(Buffer.from(card.image.data), {
    raw: { width: card.image.width, height: card.image.height, channels: 3 },
  })
    .resize(shown.width, shown.height, { kernel: shown.kernel, fit: 'fill' })
    .png()
    .toBuffer();

  const png = await sharp({
    create: { width: size.width, height: size.height, channels: 3, background: '#ffffff' },
  })
    .composite([
      { input: picture, left: CARD_MARGIN, top: CARD_MARGIN },
      { input: chart.png, left: 2 * CARD_MARGIN + shown.width, top: CARD_MARGIN },
    ])
    .removeAlpha()
    .png()
    .toBuffer();
  return { png, ...size };
}
