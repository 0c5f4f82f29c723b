import { z } from 'zod';

import { integerParameter } from '../http/parameter.schemas';
import { COLORMAP_NAMES } from '../imaging/colormap.names';
import {
  FEATURE_MAP_PICTURE_OPTIONS,
  KERNEL_PICTURE_OPTIONS,
  refusePictureOptions,
} from './picture-options';
import { PICTURE_DEFAULTS } from './view-options.schema';

/**
 * The caller-facing parameters of the four views, as text (query string, form
 * fields, or gRPC fields turned into text), shared by REST and gRPC so both
 * refuse the same values with the same INVALID_PARAMETER messages.
 */

const LAYER_LIST =
  'one or more value or node names, repeated or comma separated, without empty items';

/**
 * A list parameter: repeated (`layer=a&layer=b`) and/or comma separated
 * (`layers=a,b`), each item trimmed. An empty value or item (`layers=`,
 * `A,,B`) is refused as `target=9,,1` is, not dropped: dropping it would
 * answer the default layers, or fewer than named, for what may be a typo.
 */
export const listParameter = z
  .union([z.string(), z.array(z.string())], { error: LAYER_LIST })
  .transform((value) =>
    (Array.isArray(value) ? value : [value])
      .flatMap((item) => item.split(','))
      .map((item) => item.trim()),
  )
  .refine((items) => items.every((item) => item !== ''), { error: LAYER_LIST });

const integer = (expected: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  integerParameter(min, max, expected);

export const featureMapParameters = z.object({
  layer: listParameter.optional(),
  layers: listParameter.optional(),
  order: z.enum(['index', 'mean'], { error: 'index or mean' }).default('index'),
  // No upper bound here: a picture's limit beyond MAX_FEATURE_MAP_CHANNELS is VIEW_LIMIT_EXCEEDED.
  limit: integer('a positive integer', 1).optional(),
  // The picture-only options have no default here, so that a tensor answer can tell them given.
  colormap: z.enum(COLORMAP_NAMES, { error: `one of ${COLORMAP_NAMES.join(', ')}` }).optional(),
  format: z.enum(['png', 'npy', 'json'], { error: 'png, npy or json' }).default('png'),
  columns: integer('an integer from 1 to 64', 1, 64).optional(),
  tile: integer('an integer from 8 to 256', 8, 256).optional(),
});

export const kernelParameters = z.object({
  layer: z.string({ error: 'the name of a Conv node, its output or its weight' }).min(1).optional(),
  format: z.enum(['png', 'npy', 'json'], { error: 'png, npy or json' }).default('png'),
  out_limit: integer('a positive integer', 1).optional(),
  in_limit: integer('a positive integer', 1).optional(),
  tile: integer('an integer from 4 to 128', 4, 128).optional(),
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

/**
 * Feature-map job options from validated parameters; picture-only options
 * given with a tensor answer are refused here, before a job is queued.
 * @param format the format as the caller named it, when the transport renamed it (gRPC `tensor`)
 */
export function featureMapJobOptions(
  p: z.infer<typeof featureMapParameters>,
  format: string = p.format,
) {
  refusePictureOptions(p, FEATURE_MAP_PICTURE_OPTIONS, format);

  return {
    layers: [...(p.layer ?? []), ...(p.layers ?? [])],
    order: p.order,
    limit: p.limit ?? null,
    colormap: p.colormap ?? PICTURE_DEFAULTS.colormap,
    format: p.format,
    columns: p.columns ?? null,
    tile: p.tile ?? PICTURE_DEFAULTS.featureMapTile,
  };
}

/**
 * Kernels job options from validated parameters; `tile` given with a tensor
 * answer is refused here, before a job is queued.
 * @param format the format as the caller named it, when the transport renamed it (gRPC `tensor`)
 */
export function kernelJobOptions(p: z.infer<typeof kernelParameters>, format: string = p.format) {
  refusePictureOptions(p, KERNEL_PICTURE_OPTIONS, format);

  return {
    layer: p.layer ?? null,
    format: p.format,
    out_limit: p.out_limit ?? null,
    in_limit: p.in_limit ?? null,
    tile: p.tile ?? PICTURE_DEFAULTS.kernelTile,
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
