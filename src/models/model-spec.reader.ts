import { promises as fs } from 'node:fs';
import * as path from 'node:path';

import type { InferenceSession } from 'onnxruntime-node';

import { ModelLoadError } from '../errors/model-load.error';
import { DEFAULT_ALPHA_BACKGROUND } from '../imaging/image-intake.constants';
import { inputDims } from '../imaging/pixel-tensor';
import type { InputSpec } from './model-descriptor';
import { modelSpecSchema, type InputSpecFile, type ModelSpecFile } from './model-spec.schema';

/** Input size assumed for a model whose ONNX input leaves height and width symbolic. */
export const DEFAULT_INPUT_SIZE = 224;

export interface ResolvedSpec {
  readonly source: 'model.json' | 'inferred';
  readonly description: string;
  readonly input: InputSpec;
  readonly output: string;
  readonly outputKind: 'logits' | 'probabilities' | undefined;
  readonly labels: readonly string[] | undefined;
  readonly defaultLayer: string | undefined;
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
}

function parseSpec(text: string, file: string): ModelSpecFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelLoadError(
      'MODEL_SPEC_INVALID',
      `${file} is not valid JSON: ${(error as Error).message}`,
    );
  }

  const parsed = modelSpecSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map(
        (issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
      )
      .join('; ');
    throw new ModelLoadError('MODEL_SPEC_INVALID', `${file} is invalid: ${problems}`);
  }
  return parsed.data;
}

async function readLabels(
  labels: ModelSpecFile['labels'],
  folder: string,
): Promise<readonly string[] | undefined> {
  if (labels === undefined || Array.isArray(labels)) {
    return labels;
  }

  const file = path.join(folder, labels);
  const text = await readIfPresent(file);
  if (text === undefined) {
    throw new ModelLoadError(
      'MODEL_LABELS_MISSING',
      `labels file ${file} named in model.json does not exist`,
    );
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

const perChannel = (values: readonly number[], channels: number): readonly number[] =>
  values.length === 1 ? Array.from({ length: channels }, () => values[0] ?? 0) : values;

function tensorShape(metadata: InferenceSession.ValueMetadata): readonly (number | string)[] {
  return metadata.isTensor ? metadata.shape : [];
}

const AXIS_FIELDS = {
  NCHW: ['batch', 'channels', 'height', 'width'],
  NHWC: ['batch', 'height', 'width', 'channels'],
} as const;

/**
 * model.json's input must give the tensor the ONNX input takes: every fixed
 * dimension of the model (the batch aside, always 1 here) must match.
 * @throws ModelLoadError MODEL_SPEC_INVALID naming the fields that differ
 */
function checkInputShape(
  specFile: string,
  input: InputSpecFile & { readonly name: string },
  modelShape: readonly (number | string)[],
): void {
  const fed = inputDims(input, 1);
  const fields = AXIS_FIELDS[input.layout];
  const shown = `[${modelShape.join(', ')}]`;
  const fedShown = `[${fed.join(', ')}]`;

  if (modelShape.length !== fed.length) {
    throw new ModelLoadError(
      'MODEL_SPEC_INVALID',
      `${specFile}: input gives a rank-4 ${input.layout} tensor ${fedShown}, but the model's input "${input.name}" has shape ${shown}`,
    );
  }
  const differences = fed.flatMap((dim, axis) => {
    const fixed = modelShape[axis];
    return axis > 0 && typeof fixed === 'number' && fixed > 0 && fixed !== dim
      ? [`input.${fields[axis]} ${dim} where the model has ${fixed}`]
      : [];
  });
  if (differences.length > 0) {
    throw new ModelLoadError(
      'MODEL_SPEC_INVALID',
      `${specFile}: input gives the tensor ${fedShown} (${input.layout}), but the model's input "${input.name}" has shape ${shown}: ${differences.join(', ')}`,
    );
  }
}

/** Reads layout, size and channels off the ONNX input when there is no model.json. */
export function inferInputSpec(metadata: InferenceSession.ValueMetadata): InputSpec {
  const shape = tensorShape(metadata);
  const size = (dim: number | string | undefined) =>
    typeof dim === 'number' && dim > 0 ? dim : DEFAULT_INPUT_SIZE;
  const channelsLast =
    shape.length === 4 && (shape[3] === 1 || shape[3] === 3) && shape[1] !== 1 && shape[1] !== 3;
  const channelDim = channelsLast ? shape[3] : shape[1];
  const channels = channelDim === 1 ? 1 : 3;

  return {
    name: metadata.name,
    layout: channelsLast ? 'NHWC' : 'NCHW',
    height: size(channelsLast ? shape[1] : shape[2]),
    width: size(channelsLast ? shape[2] : shape[3]),
    channels,
    channelOrder: 'RGB',
    scale: 1 / 255,
    mean: perChannel([0], channels),
    std: perChannel([1], channels),
    resize: 'stretch',
    background: DEFAULT_ALPHA_BACKGROUND,
  };
}

/** model.json (validated) or defaults inferred from the ONNX input, with labels resolved. */
export async function resolveSpec(
  folder: string,
  session: InferenceSession,
): Promise<ResolvedSpec> {
  const specFile = path.join(folder, 'model.json');
  const text = await readIfPresent(specFile);
  const firstInput = session.inputMetadata[0];
  const firstOutput = session.outputNames[0];

  if (firstInput === undefined || firstOutput === undefined) {
    throw new ModelLoadError('MODEL_NOT_ONNX', `${folder}/model.onnx has no inputs or no outputs`);
  }

  if (text === undefined) {
    return {
      source: 'inferred',
      description: '',
      input: inferInputSpec(firstInput),
      output: firstOutput,
      outputKind: undefined,
      labels: undefined,
      defaultLayer: undefined,
    };
  }

  const spec = parseSpec(text, specFile);
  const input = spec.input;
  const inputName = input.name ?? firstInput.name;
  if (!session.inputNames.includes(inputName)) {
    throw new ModelLoadError(
      'MODEL_SPEC_INVALID',
      `${specFile}: input.name "${inputName}" is not an input of the model (inputs: ${session.inputNames.join(', ')})`,
    );
  }
  const output = spec.output ?? firstOutput;
  if (!session.outputNames.includes(output)) {
    throw new ModelLoadError(
      'MODEL_SPEC_INVALID',
      `${specFile}: output "${output}" is not an output of the model (outputs: ${session.outputNames.join(', ')})`,
    );
  }
  const metadata = session.inputMetadata.find((value) => value.name === inputName) ?? firstInput;
  checkInputShape(specFile, { ...input, name: inputName }, tensorShape(metadata));
  for (const [field, values] of [
    ['mean', input.mean],
    ['std', input.std],
  ] as const) {
    if (values.length !== 1 && values.length !== input.channels) {
      throw new ModelLoadError(
        'MODEL_SPEC_INVALID',
        `${specFile}: input.${field} must have 1 or ${input.channels} values, got ${values.length}`,
      );
    }
  }

  return {
    source: 'model.json',
    description: spec.description,
    input: {
      ...input,
      name: inputName,
      mean: perChannel(input.mean, input.channels),
      std: perChannel(input.std, input.channels),
    },
    output,
    outputKind: spec.outputKind,
    labels: await readLabels(spec.labels, folder),
    defaultLayer: spec.defaultLayer,
  };
}
