import type { GridText } from './grid-text.chart';
import { blankImage, blit, type RgbImage } from './rgb-image';

/** One tile and the text drawn above it ('' draws none). */
export interface GridTile {
  readonly image: RgbImage;
  readonly label: string;
}

/** A titled block of equally sized tiles laid out in rows. */
export interface GridSection {
  readonly title: string;
  /** Up to two smaller lines under the title (scale, ordering); keep each under ~80 characters. */
  readonly notes: readonly string[];
  readonly tiles: readonly GridTile[];
  readonly columns?: number;
  /** Whether tiles get a label band above them. */
  readonly labelled: boolean;
}

export interface SectionLayout {
  readonly columns: number;
  readonly rows: number;
  readonly tileWidth: number;
  readonly tileHeight: number;
  readonly width: number;
  readonly height: number;
}

export const GRID_MARGIN = 8;
export const GRID_GAP = 4;
export const LABEL_BAND = 14;
export const TITLE_BAND = 50;
/** Sections are never narrower than this, so that their title and notes fit. */
export const MIN_SECTION_WIDTH = 520;
const BACKGROUND: readonly [number, number, number] = [255, 255, 255];

/**
 * Size of a section: width = max(MIN_SECTION_WIDTH, 2*margin + columns*tileWidth + (columns-1)*gap),
 * height = title + rows*(label + tileHeight) + (rows-1)*gap + margin;
 * columns default to ceil(sqrt(count)).
 */
export function sectionLayout(
  count: number,
  tileWidth: number,
  tileHeight: number,
  labelled: boolean,
  requestedColumns?: number,
): SectionLayout {
  const columns = Math.max(1, Math.min(count, requestedColumns ?? Math.ceil(Math.sqrt(count))));
  const rows = Math.max(1, Math.ceil(count / columns));
  const band = labelled ? LABEL_BAND : 0;

  return {
    columns,
    rows,
    tileWidth,
    tileHeight,
    width: Math.max(
      MIN_SECTION_WIDTH,
      2 * GRID_MARGIN + columns * tileWidth + (columns - 1) * GRID_GAP,
    ),
    height: TITLE_BAND + rows * (band + tileHeight) + (rows - 1) * GRID_GAP + GRID_MARGIN,
  };
}

export interface ComposedGrid {
  readonly image: RgbImage;
  /** Titles, notes and tile labels in canvas pixels, drawn over the image by encodeLabelledPng. */
  readonly labels: readonly GridText[];
  readonly layouts: readonly SectionLayout[];
}

/** Sections stacked top to bottom on a white canvas as wide as the widest; text comes back as labels. */
export function composeGrid(sections: readonly GridSection[]): ComposedGrid {
  const layouts = sections.map((section) => layoutOf(section));
  const width = Math.max(...layouts.map((layout) => layout.width));
  const height = layouts.reduce((sum, layout) => sum + layout.height, 0);
  const image = blankImage(width, height, BACKGROUND);
  const labels: GridText[] = [];
  let top = 0;

  sections.forEach((section, index) => {
    const layout = layouts[index];
    labels.push(...drawSection(image, section, layout, top));
    top += layout.height;
  });
  return { image, labels, layouts };
}

function layoutOf(section: GridSection): SectionLayout {
  const first = section.tiles[0]?.image;
  if (first === undefined) {
    throw new RangeError(`composeGrid: section "${section.title}" has no tiles`);
  }
  if (
    section.tiles.some(
      (tile) => tile.image.width !== first.width || tile.image.height !== first.height,
    )
  ) {
    throw new RangeError(`composeGrid: tiles of section "${section.title}" differ in size`);
  }
  return sectionLayout(
    section.tiles.length,
    first.width,
    first.height,
    section.labelled,
    section.columns,
  );
}

function drawSection(
  image: RgbImage,
  section: GridSection,
  layout: SectionLayout,
  top: number,
): GridText[] {
  const band = section.labelled ? LABEL_BAND : 0;
  const labels: GridText[] = [{ kind: 'title', x: GRID_MARGIN, y: top + 15, text: section.title }];
  section.notes.slice(0, 2).forEach((note, line) => {
    labels.push({ kind: 'note', x: GRID_MARGIN, y: top + 31 + 14 * line, text: note });
  });

  section.tiles.forEach((tile, index) => {
    const x = GRID_MARGIN + (index % layout.columns) * (layout.tileWidth + GRID_GAP);
    const y =
      top + TITLE_BAND + Math.floor(index / layout.columns) * (band + layout.tileHeight + GRID_GAP);
    blit(image, tile.image, x, y + band);
    if (section.labelled && tile.label !== '') {
      labels.push({
        kind: 'label',
        x: x + layout.tileWidth / 2,
        y: y + band - 3,
        text: tile.label,
      });
    }
  });
  return labels;
}
