import sharp from 'sharp';

import type { RenderedChart } from './vega-chart.renderer';

export const SHEET_MARGIN = 8;
export const SHEET_GAP = 8;

export interface SheetSize {
  readonly width: number;
  readonly height: number;
}

/** width = 2*margin + columns*cellWidth + (columns-1)*gap; likewise for rows. */
export function sheetSize(
  rows: number,
  columns: number,
  cellWidth: number,
  cellHeight: number,
): SheetSize {
  return {
    width: 2 * SHEET_MARGIN + columns * cellWidth + (columns - 1) * SHEET_GAP,
    height: 2 * SHEET_MARGIN + rows * cellHeight + (rows - 1) * SHEET_GAP,
  };
}

/** Charts of one size placed row by row on a white PNG (a row may hold fewer charts). */
export async function composeSheet(
  rows: readonly (readonly RenderedChart[])[],
  cellWidth: number,
  cellHeight: number,
): Promise<Buffer> {
  const columns = Math.max(1, ...rows.map((row) => row.length));
  const size = sheetSize(rows.length, columns, cellWidth, cellHeight);
  const placed = rows.flatMap((row, r) =>
    row.map((chart, c) => ({
      input: chart.png,
      left: SHEET_MARGIN + c * (cellWidth + SHEET_GAP),
      top: SHEET_MARGIN + r * (cellHeight + SHEET_GAP),
    })),
  );

  return sharp({
    create: { width: size.width, height: size.height, channels: 3, background: '#ffffff' },
  })
    .composite(placed)
    .removeAlpha()
    .png()
    .toBuffer();
}
