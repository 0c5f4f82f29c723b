/**
 * The width Vega gives a line of text when it has no canvas to measure it
 * with, as here (charts are rendered to SVG): 0.8 x font size per character
 * (vega-scenegraph's estimateWidth). Titles are laid out and cut by this
 * width, so a chart that must not lose a title's end, or shrink its plot to
 * make room for a title, checks it first.
 */
export function vegaTextWidth(text: string, fontSize: number): number {
  return Math.floor(0.8 * text.length * fontSize);
}
