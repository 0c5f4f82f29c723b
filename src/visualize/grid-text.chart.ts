import type { TopLevelSpec } from 'vega-lite';

/** What a line of grid text is; its font, size, colour and alignment follow from that. */
export type GridTextKind = 'title' | 'note' | 'label';

/** One line of text on a tile grid at pixel (x, y), y being the baseline; labels are centred on x. */
export interface GridText {
  readonly kind: GridTextKind;
  readonly x: number;
  readonly y: number;
  readonly text: string;
}

const KINDS: readonly GridTextKind[] = ['title', 'note', 'label'];

const STYLES = {
  title: { align: 'left', fontSize: 13, fontWeight: 'bold', color: '#222222' },
  note: { align: 'left', fontSize: 11, fontWeight: 'normal', color: '#555555' },
  label: { align: 'center', fontSize: 10, fontWeight: 'normal', color: '#222222' },
} as const;

/** A null scale hands the data value to the mark as it is, so positions are canvas pixels. */
const pixel = (field: 'x' | 'y') => ({ field, type: 'quantitative' as const, scale: null });

/**
 * A transparent Vega-Lite chart of exactly width x height holding only text
 * marks (one layer per kind), to be drawn over a grid whose tiles sharp keeps
 * pixel-exact underneath.
 */
export function gridTextSpec(
  width: number,
  height: number,
  texts: readonly GridText[],
): TopLevelSpec {
  const layer = KINDS.flatMap((kind) => {
    const values = texts.filter((text) => text.kind === kind);
    if (values.length === 0) {
      return [];
    }
    return [
      {
        data: { values },
        mark: {
          type: 'text' as const,
          baseline: 'alphabetic' as const,
          aria: false,
          ...STYLES[kind],
        },
        encoding: {
          x: pixel('x'),
          y: pixel('y'),
          text: { field: 'text', type: 'nominal' as const },
        },
      },
    ];
  });

  return {
    width,
    height,
    autosize: { type: 'none' },
    padding: 0,
    background: 'transparent',
    config: { view: { stroke: null }, aria: false },
    layer,
  };
}
