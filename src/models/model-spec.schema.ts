import { z } from 'zod';

import { ALPHA_BACKGROUND_EXPECTED } from '../imaging/alpha-background';
import { DEFAULT_ALPHA_BACKGROUND } from '../imaging/image-intake.constants';

/** "white", "black" or a CSS "#rrggbb" colour; the message says what came. */
const alphaBackgroundSchema = z.union(
  [
    z.literal('white'),
    z.literal('black'),
    z.templateLiteral(['#', z.string().regex(/^[0-9a-fA-F]{6}$/)]),
  ],
  { error: (issue) => `expected ${ALPHA_BACKGROUND_EXPECTED}, got ${JSON.stringify(issue.input)}` },
);

/** How an upload becomes the model's input tensor: value = (pixel * scale - mean[c]) / std[c]. */
export const inputSpecSchema = z.object({
  name: z.string().min(1).optional(),
  layout: z.enum(['NCHW', 'NHWC']).default('NCHW'),
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  channels: z.union([z.literal(1), z.literal(3)]),
  channelOrder: z.enum(['RGB', 'BGR']).default('RGB'),
  scale: z
    .number()
    .positive()
    .default(1 / 255),
  mean: z.array(z.number()).min(1).default([0]),
  std: z.array(z.number().positive()).min(1).default([1]),
  resize: z.enum(['stretch', 'letterbox', 'center-crop']).default('stretch'),
  background: alphaBackgroundSchema.default(DEFAULT_ALPHA_BACKGROUND),
});

/** The model.json beside a model.onnx; every field but the input size has a default. */
export const modelSpecSchema = z
  .object({
    name: z.string().optional(),
    description: z.string().default(''),
    input: inputSpecSchema,
    output: z.string().min(1).optional(),
    outputKind: z.enum(['logits', 'probabilities']).optional(),
    labels: z.union([z.string().min(1), z.array(z.string())]).optional(),
    defaultLayer: z.string().min(1).optional(),
  })
  .strict();

export type ModelSpecFile = z.infer<typeof modelSpecSchema>;
export type InputSpecFile = z.infer<typeof inputSpecSchema>;
