import type { ExecutionProviderName } from '../runtime/session-factory';

export interface InputSpec {
  readonly name: string;
  readonly layout: 'NCHW' | 'NHWC';
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
  readonly channelOrder: 'RGB' | 'BGR';
  readonly scale: number;
  /** One value per channel (a single value is repeated). */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly resize: 'stretch' | 'letterbox' | 'center-crop';
}

export interface TensorDescription {
  readonly name: string;
  readonly type: string;
  readonly shape: readonly (number | string)[];
}

export interface LayerDescription {
  readonly value: string;
  readonly node: string;
  readonly opType: string;
  readonly shape: readonly number[];
}

/** Everything the API says about a loaded model. */
export interface ModelDescriptor {
  readonly name: string;
  readonly description: string;
  readonly input: InputSpec;
  readonly inputs: readonly TensorDescription[];
  readonly outputs: readonly TensorDescription[];
  readonly output: string;
  /** Whether the chosen output holds logits (softmax applied for probabilities) or probabilities. */
  readonly outputKind: 'logits' | 'probabilities';
  readonly labels: readonly string[];
  readonly defaultLayer: string | undefined;
  readonly layers: readonly LayerDescription[];
  readonly executionProvider: ExecutionProviderName;
  readonly specSource: 'model.json' | 'inferred';
}
