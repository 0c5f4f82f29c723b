import { z } from 'zod';

import { COLORMAP_NAMES } from '../imaging/colormap.names';

/**
 * The caller-facing parameters of the four views, as text (query string, form
 * fields, or gRPC fields turned into text), shared by REST and gRPC so both
 * refuse the same values with the same INVALID_PARAMETER messages.
 */

/** A list parameter: repeated (`layer=a&layer=b`) and/or comma separated (`layers=a,b`). */
export const listParameter = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : [value]).flatMap((item) => item.split(',')))
  .transform((items) => items.map((item) => item.trim()).filter((item) => item !== ''));

const integer = (expected: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce
    .number({ error: expected })
    .int({ error: expected })
    .min(min, { error: expected })
    .max(max, { error: expected });

export const featureMapParameters = z.object({
  layer: listParameter.optional(),
  layers: listParameter.optional(),
  order: z.enum(['index', 'mean'], { error: 'index or mean' }).default('index'),
  // No upper bound here: a limit beyond MAX_FEATURE_MAP_CHANNELS is VIEW_LIMIT_EXCEEDED.
  limit: integer('a positive integer', 1).default(64),
  colormap: z
    .enum(COLORMAP_NAMES, { error: `one of ${COLORMAP_NAMES.join(', ')}` })
    .default('viridis'),
  format: z.enum(['png', 'npy', 'json'], { error: 'png, npy or json' }).default('png'),
  columns: integer('an integer from 1 to 64', 1, 64).optional(),
  tile: integer('an integer from 8 to 256', 8, 256).default(64),
});

export const kernelParameters = z.object({
  layer: z.string().min(1).optional(),
  format: z.enum(['png', 'npy', 'json'], { error: 'png, npy or json' }).default('png'),
  out_limit: integer('a positive integer', 1).optional(),
  in_limit: integer('a positive integer', 1).optional(),
  tile: integer('an integer from 4 to 128', 4, 128).default(24),
});

export const histogramParameters = z.object({
  layers: listParameter.optional(),
  bins: integer('an integer from 1 to 200', 1, 200).default(30),
  batch_norm: z.enum(['separate', 'folded'], { error: 'separate or folded' }).default('separate'),
  format: z.enum(['png', 'json'], { error: 'png or json' }).default('png'),
});

export const predictionImageParameters = z.object({
  top_k: integer('an integer from 1 to 20', 1, 20).default(5),
});

/** Feature-map job options from validated parameters. */
export function featureMapJobOptions(p: z.infer<typeof featureMapParameters>) {
  return {
    layers: [...(p.layer ?? []), ...(p.layers ?? [])],
    order: p.order,
    limit: p.limit,
    colormap: p.colormap,
    format: p.format,
    columns: p.columns ?? null,
    tile: p.tile,
  };
}

/** Kernels job options from validated parameters. */
export function kernelJobOptions(p: z.infer<typeof kernelParameters>) {
  return {
    layer: p.layer ?? null,
    format: p.format,
    out_limit: p.out_limit ?? null,
    in_limit: p.in_limit ?? null,
    tile: p.tile,
  };
}

/** Histograms job options from validated parameters. */
export function histogramJobOptions(p: z.infer<typeof histogramParameters>) {
  return {
    layers: p.layers ?? [],
    bins: p.bins,
    batch_norm: p.batch_norm,
    format: p.format,
  };
}
