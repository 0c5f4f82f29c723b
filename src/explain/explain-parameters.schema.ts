import { z } from 'zod';

import { booleanParameter, integerParameter, numberParameter } from '../http/parameter.schemas';
import { MAX_TARGETS, TARGET_FORMS } from './target.parser';

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

/**
 * The method's error. A '+' in a query string or urlencoded form is a space, so an unescaped
 * `method=gradcam++` arrives as "gradcam  ": say how to write it rather than only list the methods.
 */
function methodError(issue: { readonly input?: unknown }): string {
  const expected = `one of ${list(EXPLAIN_METHODS)}`;
  const plussed =
    typeof issue.input === 'string' ? issue.input.replaceAll(' ', '+').toLowerCase() : '';
  const meant = EXPLAIN_METHODS.find((method) => method.includes('+') && method === plussed);
  return meant === undefined
    ? expected
    : `${expected} (a "+" in a URL is read as a space: write method=${encodeURIComponent(meant)})`;
}

// Bounded so that a job's options stay small.
const targetValue = z
  .string()
  .min(1, TARGET_FORMS)
  .max(300, `${TARGET_FORMS}, of at most 300 characters`);

/**
 * The parameters of every explanation request, the same for POST /gradcam,
 * POST /cam, POST /v1/explain and gRPC Explain. Names are snake_case as they
 * appear in query strings and form fields. The options that only some methods
 * or outputs use have no default here, so that a job's options hold what the
 * caller gave and an inapplicable one can be refused (option-applicability.ts);
 * resolveExplainParameters fills in OPTION_DEFAULTS.
 */
export const explainParametersSchema = z.object({
  model: z.string().min(1, 'a model name').optional(),
  method: z.enum(EXPLAIN_METHODS, { error: methodError }).default('gradcam'),
  /** An ONNX value or node name; default: the last spatial value before global pooling. */
  // Bounded so that a job's options stay well under 1 KB.
  layer: z
    .string()
    .min(1, 'an ONNX value or node name')
    .max(200, 'an ONNX value or node name of at most 200 characters')
    .optional(),
  /**
   * A class index, a label, top1, topk:N, index:N, label:NAME, a "quoted label" or a
   * comma-separated list of those (target.parser.ts); repeated, a list of such values.
   */
  target: z
    .union([targetValue, z.array(targetValue).max(MAX_TARGETS)], {
      error: `${TARGET_FORMS}, given at most ${MAX_TARGETS} times`,
    })
    .default('top1'),
  output: z
    .enum(['overlay', 'heatmap', 'tensor'], { error: 'one of overlay, heatmap, tensor' })
    .default('overlay'),
  colormap: z.enum(COLORMAPS, { error: `one of ${list(COLORMAPS)}` }).optional(),
  alpha: numberParameter(0, 1).optional(),
  /** For output=tensor: the map at the layer's size, or upsampled to the image's. */
  resolution: z.enum(['layer', 'image'], { error: 'one of layer, image' }).optional(),
  /**
   * json answers JSON (pictures and .npy bytes in base64); npy keeps a tensor binary. When absent,
   * HTTP negotiates a tensor's encoding with Accept by q-value and keeps pictures PNG.
   */
  format: z.enum(['npy', 'json'], { error: 'one of npy, json' }).optional(),
  /** The score differentiated: the logit (default) or the probability after the model's softmax. */
  score: z.enum(['logit', 'probability'], { error: 'one of logit, probability' }).default('logit'),
  /**
   * false (output=tensor only): the map as the method computes it, before ReLU and min-max, in
   * the score's units; for the input-gradient methods the signed attribution per input channel.
   */
  normalize: booleanParameter.default(true),
  aug_smooth: booleanParameter.default(false),
  eigen_smooth: booleanParameter.default(false),
  /** smoothgrad; a fixed default seed, so that the same request (or image in a batch) gives the same map. */
  samples: integerParameter(1, 256).optional(),
  sigma: numberParameter(0, 10).optional(),
  seed: integerParameter(0, 2 ** 31 - 1).optional(),
  /** integrated-gradients */
  steps: integerParameter(1, 512).optional(),
  baseline: z.enum(['black', 'zeros'], { error: 'one of black, zeros' }).optional(),
  /** scorecam / ablationcam: channels per onnxruntime run. */
  batch_size: integerParameter(1, 1024).optional(),
  async: booleanParameter.default(false),
});

/** The parameters as the caller gave them (plus the defaults that apply to every request). */
export type ExplainParameters = z.infer<typeof explainParametersSchema>;

/** The defaults of the options that apply only to some methods or outputs. */
export const OPTION_DEFAULTS = {
  colormap: 'jet',
  alpha: 0.5,
  resolution: 'image',
  samples: 16,
  sigma: 0.15,
  seed: 0,
  steps: 32,
  baseline: 'black',
  batch_size: 32,
} as const satisfies Partial<Record<keyof ExplainParameters, string | number>>;

type Defaulted = keyof typeof OPTION_DEFAULTS;

/** The parameters the explainers and the renderer read: every option set. */
export type ResolvedExplainParameters = Omit<ExplainParameters, Defaulted> &
  Required<Pick<ExplainParameters, Defaulted>>;

export function resolveExplainParameters(given: ExplainParameters): ResolvedExplainParameters {
  return {
    ...given,
    colormap: given.colormap ?? OPTION_DEFAULTS.colormap,
    alpha: given.alpha ?? OPTION_DEFAULTS.alpha,
    resolution: given.resolution ?? OPTION_DEFAULTS.resolution,
    samples: given.samples ?? OPTION_DEFAULTS.samples,
    sigma: given.sigma ?? OPTION_DEFAULTS.sigma,
    seed: given.seed ?? OPTION_DEFAULTS.seed,
    steps: given.steps ?? OPTION_DEFAULTS.steps,
    baseline: given.baseline ?? OPTION_DEFAULTS.baseline,
    batch_size: given.batch_size ?? OPTION_DEFAULTS.batch_size,
  };
}
