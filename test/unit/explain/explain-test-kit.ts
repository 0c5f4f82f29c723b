import * as path from 'node:path';

import * as ort from 'onnxruntime-node';

import {
  explainParametersSchema,
  resolveExplainParameters,
  type ResolvedExplainParameters,
} from '../../../src/explain/explain-parameters.schema';
import { ExplainSessions } from '../../../src/explain/explain-sessions';
import { ExplainableModel } from '../../../src/explain/explainable-model';
import type { ModelTensor } from '../../../src/explain/input-tensor';
import type { ModelDescriptor } from '../../../src/models/model-descriptor';
import { readModelFile } from '../../../src/onnx/model-file.reader';
import type { ModelProto } from '../../../src/onnx/onnx.types';
import { SessionFactory } from '../../../src/runtime/session-factory';
import { probeValueFacts } from '../../../src/runtime/value-probe';
import { readNpy } from '../../support/npy.reader';

export const REPO_ROOT = path.resolve(__dirname, '../../..');

/** A session factory on one CPU thread, as the test machine is shared. */
export function testSessionFactory(): SessionFactory {
  return new SessionFactory({
    executionProviders: ['cpu'],
    cudaDeviceId: 0,
    intraOpThreads: 1,
  });
}

/** Sessions on one CPU thread, as the test machine is shared. */
export function testSessions(capacity = 8, factory = testSessionFactory()): ExplainSessions {
  return new ExplainSessions(factory, capacity);
}

/** Request parameters with every default filled in, as the explainers see them. */
export function parameters(given: Record<string, string>): ResolvedExplainParameters {
  return resolveExplainParameters(explainParametersSchema.parse(given));
}

/** A model as the explainers see it, from a graph and a descriptor written for the test. */
export async function explainableModel(
  proto: ModelProto | string,
  input: { name: string; dims: readonly number[] },
  descriptor: Partial<ModelDescriptor> & Pick<ModelDescriptor, 'output'>,
): Promise<ExplainableModel> {
  const graph = typeof proto === 'string' ? readModelFile(proto) : proto;
  const facts = await probeValueFacts(graph, { [input.name]: input.dims });
  const [, channels = 1, height = 1, width = 1] = input.dims;
  const full: ModelDescriptor = {
    name: 'test-net',
    description: '',
    input: {
      name: input.name,
      layout: 'NCHW',
      height,
      width,
      channels: channels === 1 ? 1 : 3,
      channelOrder: 'RGB',
      scale: 1 / 255,
      mean: [0],
      std: [1],
      resize: 'stretch',
      background: 'white',
    },
    inputs: [],
    outputs: [],
    outputKind: 'logits',
    labels: [],
    defaultLayer: undefined,
    layers: [],
    executionProvider: 'cpu',
    requestedExecutionProviders: ['cpu'],
    specSource: 'inferred',
    ...descriptor,
  };
  return new ExplainableModel(full, graph, facts, input.name, input.dims);
}

/** What every fixture net's reference.json holds (scripts/fixtures/README.md). */
export interface FixtureNetReference {
  readonly name: string;
  readonly input: { readonly name: string; readonly shape: number[]; readonly file: string };
  readonly output: string;
  readonly targetClass: number;
  readonly mainLayer: string;
  /** layer -> method -> the .npy file of PyTorch's map. */
  readonly methods: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/**
 * A fixture net of test/fixtures/nets: its reference input as a tensor, and a
 * loader for the net as an explainable model scoring the reference's output.
 */
export function fixtureNet(
  dir: string,
  reference: FixtureNetReference,
): { tensor: ModelTensor; load: () => Promise<ExplainableModel> } {
  const input = readNpy(path.join(dir, reference.input.file));
  return {
    tensor: { data: input.data, dims: reference.input.shape, layout: 'NCHW' },
    load: () =>
      explainableModel(
        path.join(dir, 'model.onnx'),
        { name: reference.input.name, dims: reference.input.shape },
        {
          output: reference.output,
          outputKind: reference.output === 'probabilities' ? 'probabilities' : 'logits',
        },
      ),
  };
}

export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    return Infinity;
  }
  let max = 0;
  for (let i = 0; i < a.length; i += 1) {
    max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  }
  return max;
}

/**
 * Counts every onnxruntime run in this process from now on (restore with
 * jest.restoreAllMocks). onnxruntime types InferenceSession as a factory, but
 * it is the class whose prototype holds `run`.
 */
export function spyOnModelRuns(): jest.SpiedFunction<ort.InferenceSession['run']> {
  const sessionClass = ort.InferenceSession as unknown as { prototype: ort.InferenceSession };
  return jest.spyOn(sessionClass.prototype, 'run');
}
