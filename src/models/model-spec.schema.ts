import { z } from 'zod';

import { ALPHA_BACKGROUND_EXPECTED } from '../imaging/alpha-background';
import { DEFAULT_ALPHA_BACKGROUND } from '../imaging/image-intake.constants';

/** A field's message, as model-spec.reader lists them: what the field takes and what came. */
const expecting = (expected: string) => ({
  error: (issue: { readonly input?: unknown }) =>
    `expected ${expected}, got ${JSON.stringify(issue.input) ?? 'nothing'}`,
});

const positiveInteger = z.number(expecting('a positive integer')).int().positive();
const nonEmptyText = (what: string) => z.string(expecting(what)).min(1);

/** "white", "black" or a CSS "#rrggbb" colour; the message says what came. */
const alphaBackgroundSchema = z.union(
  [
    z.literal('white'),
    z.literal('black'),
    z.templateLiteral(['#', z.string().regex(/^[0-9a-fA-F]{6}$/)]),
  ],
  expecting(ALPHA_BACKGROUND_EXPECTED),
);

/** How an upload becomes the model's input tensor: value = (pixel * scale - mean[c]) / std[c]. */
export const inputSpecSchema = z.object(
  {
    name: nonEmptyText('the name of an input of the model').optional(),
    layout: z.enum(['NCHW', 'NHWC'], expecting('"NCHW" or "NHWC"')).default('NCHW'),
    height: positiveInteger,
    width: positiveInteger,
    channels: z.union([z.literal(1), z.literal(3)], expecting('1 or 3')),
    channelOrder: z.enum(['RGB', 'BGR'], expecting('"RGB" or "BGR"')).default('RGB'),
    scale: z
      .number(expecting('a positive number'))
      .positive()
      .default(1 / 255),
    mean: z
      .array(z.number(expecting('a number')), expecting('a list of one or more numbers'))
      .min(1)
      .default([0]),
    std: z
      .array(
        z.number(expecting('a positive number')).positive(),
        expecting('a list of one or more positive numbers'),
      )
      .min(1)
      .default([1]),
    resize: z
      .enum(
        ['stretch', 'letterbox', 'center-crop'],
        expecting('"stretch", "letterbox" or "center-crop"'),
      )
      .default('stretch'),
    background: alphaBackgroundSchema.default(DEFAULT_ALPHA_BACKGROUND),
  },
  expecting("an object with the height, width and channels of the model's input"),
);

/** A field model.json does not have (a typo, most likely): named, with those it has. */
const unknownFields = (fields: readonly string[]) => ({
  error: (issue: z.core.$ZodRawIssue) =>
    issue.code === 'unrecognized_keys'
      ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}: expected the fields of model.json (${fields.join(', ')})`
      : undefined,
});

const modelSpecFields = {
  name: z.string(expecting('text')).optional(),
  description: z.string(expecting('text')).default(''),
  input: inputSpecSchema,
  output: nonEmptyText('the name of an output of the model').optional(),
  outputKind: z
    .enum(['logits', 'probabilities'], expecting('"logits" or "probabilities"'))
    .optional(),
  labels: z
    .union(
      [
        nonEmptyText('the name of a labels file beside model.json'),
        z.array(z.string(expecting('a label'))),
      ],
      expecting('the name of a labels file beside model.json, or a list of labels'),
    )
    .optional(),
  defaultLayer: nonEmptyText('a value or node name of the model').optional(),
};

/** The model.json beside a model.onnx; every field but the input size has a default. */
export const modelSpecSchema = z.strictObject(
  modelSpecFields,
  unknownFields(Object.keys(modelSpecFields)),
);

export type ModelSpecFile = z.infer<typeof modelSpecSchema>;
export type InputSpecFile = z.infer<typeof inputSpecSchema>;
