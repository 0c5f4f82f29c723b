import sharp from 'sharp';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

import { CHART_FONT } from './chart-font';

export interface RenderedChart {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
}

/** Every chart names the installed font, so librsvg never falls back to a guessed family. */
const FONT_CONFIG = {
  font: CHART_FONT,
  title: { font: CHART_FONT },
  axis: { labelFont: CHART_FONT, titleFont: CHART_FONT },
  legend: { labelFont: CHART_FONT, titleFont: CHART_FONT },
  header: { labelFont: CHART_FONT, titleFont: CHART_FONT },
  text: { font: CHART_FONT },
} as const;

/** A Vega-Lite chart compiled to Vega and rendered headless to an SVG document (no canvas). */
export async function renderVegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  const withFont = { ...spec, config: { ...FONT_CONFIG, ...spec.config } } as TopLevelSpec;
  const view = new View(parse(compile(withFont).spec), { renderer: 'none' });

  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * A Vega-Lite chart rendered to SVG by Vega and rasterised by sharp; a spec
 * with autosize "fit" + contains "padding" comes out exactly width x height.
 */
export async function renderVegaLite(spec: TopLevelSpec): Promise<RenderedChart> {
  const svg = await renderVegaLiteSvg(spec);
  const { data, info } = await sharp(Buffer.from(svg)).png().toBuffer({ resolveWithObject: true });
  return { png: data, width: info.width, height: info.height };
}
