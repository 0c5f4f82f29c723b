import { z } from 'zod';

import { InvalidParameterError } from '../errors/invalid-parameter.error';
import { COLORMAP_NAMES } from '../imaging/colormap.names';

/** What the pictures use when the caller does not say. */
export const PICTURE_DEFAULTS = {
  colormap: 'viridis',
  featureMapTile: 64,
  kernelTile: 24,
} as const;

/** A layer named in a job's options (the transports have refused empty names already). */
const layerName = z.string({ error: 'a value or node name of the model' }).min(1);
const layerNames = z.array(layerName, { error: 'a list of value or node names of the model' });

/**
 * Options of a feature-map job, as the job carries them (already typed by the
 * transport); null stands for "not given": a limit not given is 64 channels
 * in a picture and every channel in a tensor.
 */
export const featureMapOptionsSchema = z.object({
  layers: layerNames.default([]),
  order: z.enum(['index', 'mean'], { error: 'index or mean' }).default('index'),
  limit: z.number({ error: 'a positive integer' }).int().min(1).nullable().default(null),
  colormap: z
    .enum(COLORMAP_NAMES, { error: `one of ${COLORMAP_NAMES.join(', ')}` })
    .default(PICTURE_DEFAULTS.colormap),
  format: z.enum(['png', 'npy', 'json'], { error: 'png, npy or json' }).default('png'),
  columns: z
    .number({ error: 'an integer from 1 to 64' })
    .int()
    .min(1)
    .max(64)
    .nullable()
    .default(null),
  tile: z
    .number({ error: 'an integer from 8 to 256' })
    .int()
    .min(8)
    .max(256)
    .default(PICTURE_DEFAULTS.featureMapTile),
});

export type FeatureMapOptions = z.infer<typeof featureMapOptionsSchema>;

/** Options of a prediction-image job. */
export const predictionImageOptionsSchema = z.object({
  top_k: z.number({ error: 'an integer from 1 to 20' }).int().min(1).max(20).default(5),
});

export type PredictionImageOptions = z.infer<typeof predictionImageOptionsSchema>;

/** Options of a kernels job; null stands for "not given" (job options are plain JSON). */
export const kernelOptionsSchema = z.object({
  layer: layerName.nullable().default(null),
  format: z.enum(['png', 'npy', 'json'], { error: 'png, npy or json' }).default('png'),
  out_limit: z.number({ error: 'a positive integer' }).int().min(1).nullable().default(null),
  in_limit: z.number({ error: 'a positive integer' }).int().min(1).nullable().default(null),
  tile: z
    .number({ error: 'an integer from 4 to 128' })
    .int()
    .min(4)
    .max(128)
    .default(PICTURE_DEFAULTS.kernelTile),
});

export type KernelOptions = z.infer<typeof kernelOptionsSchema>;

/** Options of a histograms job. */
export const histogramOptionsSchema = z.object({
  layers: layerNames.default([]),
  bins: z.number({ error: 'an integer from 1 to 200' }).int().min(1).max(200).default(30),
  batch_norm: z.enum(['separate', 'folded'], { error: 'separate or folded' }).default('separate'),
  format: z.enum(['png', 'json'], { error: 'png or json' }).default('png'),
});

export type HistogramOptions = z.infer<typeof histogramOptionsSchema>;

/** Reads a job's options with a schema; a bad value becomes INVALID_PARAMETER naming it. */
export function readJobOptions<T extends z.ZodType>(schema: T, options: unknown): z.infer<T> {
  const parsed = schema.safeParse(options);
  if (parsed.success) {
    return parsed.data;
  }
  const issue = parsed.error.issues[0];
  // An item of a list (layers.1) is reported as the list, with every value it holds.
  const name = issue?.path[0] === undefined ? 'options' : String(issue.path[0]);
  const received =
    typeof options === 'object' && options !== null
      ? (options as Record<string, unknown>)[name]
      : options;
  throw new InvalidParameterError(name, issue?.message ?? 'valid', received);
}
