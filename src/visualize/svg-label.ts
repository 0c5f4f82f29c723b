import { CHART_FONT } from './chart-font';

/** One line of text placed on a picture; y is the baseline. */
export interface SvgLabel {
  readonly x: number;
  readonly y: number;
  readonly text: string;
  readonly size?: number;
  readonly anchor?: 'start' | 'middle' | 'end';
  readonly bold?: boolean;
  readonly colour?: string;
}

const XML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Text made safe for SVG content and attributes (layer names come from the model file). */
export const escapeXml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);

/** A transparent SVG of the given size holding only the labels, to composite over a raster with sharp. */
export function labelsSvg(width: number, height: number, labels: readonly SvgLabel[]): string {
  const texts = labels.map(
    (label) =>
      `<text x="${label.x}" y="${label.y}" font-size="${label.size ?? 11}" text-anchor="${label.anchor ?? 'start'}"` +
      ` font-weight="${label.bold === true ? 'bold' : 'normal'}" fill="${label.colour ?? '#222222'}">${escapeXml(label.text)}</text>`,
  );
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<g font-family="${CHART_FONT}">${texts.join('')}</g></svg>`
  );
}
