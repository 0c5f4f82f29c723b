import { z } from 'zod';

import { booleanParameter } from '../http/parameter.schemas';

export const EXPLAIN_METHODS = [
  'cam',
  'gradcam',
  'gradcam++',
  'hirescam',
  'gradcam-elementwise',
  'xgradcam',
  'layercam',
  'eigencam',
  'eigengradcam',
  'scorecam',
  'ablationcam',
  'saliency',
  'guided-backprop',
  'guided-gradcam',
  'smoothgrad',
  'integrated-gradients',
] as const;

export type ExplainMethod = (typeof EXPLAIN_METHODS)[number];

export const COLORMAPS = ['jet', 'turbo', 'viridis', 'inferno', 'magma', 'gray'] as const;

export type ColormapName = (typeof COLORMAPS)[number];

const list = (values: readonly string[]) => values.join(', ');

const number = (min: number, max: number, what = 'a number') =>
  z.coerce
    .number({ error: `${what} from ${min} to ${max}` })
    .min(min, `${what} from ${min} to ${max}`)
    .max(max, `${what} from ${min} to ${max}`);

const integer = (min: number, max: number) =>
  number(min, max, 'an integer').int(`an integer from ${min} to ${max}`);

/**
 * The parameters of every explanation request, the same for POST /gradcam,
 * POST /cam, POST /v1/explain and gRPC Explain. Names are snake_case as they
 * appear in query strings and form fields.
 */
export const explainParametersSchema = z.object({
  model: z.string().min(1, 'a model name').optional(),
  method: z.enum(EXPLAIN_METHODS, { error: `one of ${list(EXPLAIN_METHODS)}` }).default('gradcam'),
  /** An ONNX value or node name; default: the last spatial value before global pooling. */
  // Bounded so that a job's options stay well under 1 KB.
  layer: z
    .string()
    .min(1, 'an ONNX value or node name')
    .max(200, 'an ONNX value or node name of at most 200 characters')
    .optional(),
  /** A class index, a label, top1, topk:N, or a comma-separated list of those. */
  target: z
    .string()
    .min(1, 'a class index, a label, top1, topk:N or a comma-separated list')
    .max(
      300,
      'a class index, a label, top1, topk:N or a comma-separated list of at most 300 characters',
    )
    .default('top1'),
  output: z
    .enum(['overlay', 'heatmap', 'tensor'], { error: 'one of overlay, heatmap, tensor' })
    .default('overlay'),
  colormap: z.enum(COLORMAPS, { error: `one of ${list(COLORMAPS)}` }).default('jet'),
  alpha: number(0, 1).default(0.5),
  /** For output=tensor: the map at the layer's size, or upsampled to the image's. */
  resolution: z.enum(['layer', 'image'], { error: 'one of layer, image' }).default('image'),
  /**
   * json answers JSON (pictures and .npy bytes in base64); npy keeps a tensor binary. When absent,
   * HTTP negotiates a tensor's encoding with Accept by q-value and keeps pictures PNG.
   */
  format: z.enum(['npy', 'json'], { error: 'one of npy, json' }).optional(),
  /** The score differentiated: the logit (default) or the probability after the model's softmax. */
  score: z.enum(['logit', 'probability'], { error: 'one of logit, probability' }).default('logit'),
  aug_smooth: booleanParameter.default(false),
  eigen_smooth: booleanParameter.default(false),
  /** smoothgrad; a fixed default seed, so that the same request (or image in a batch) gives the same map. */
  samples: integer(1, 256).default(16),
  sigma: number(0, 10).default(0.15),
  seed: integer(0, 2 ** 31 - 1).default(0),
  /** integrated-gradients */
  steps: integer(1, 512).default(32),
  baseline: z.enum(['black', 'zeros'], { error: 'one of black, zeros' }).default('black'),
  /** scorecam / ablationcam: channels per onnxruntime run. */
  batch_size: integer(1, 1024).default(32),
  async: booleanParameter.default(false),
});

export type ExplainParameters = z.infer<typeof explainParametersSchema>;
