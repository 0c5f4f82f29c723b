import type { InputSpec as ImageInputSpec } from '../imaging/input-spec';
import type { ExecutionProviderName } from '../runtime/session-factory';
import type { ModelValues } from './model-values';

/** The imaging input spec, plus the ONNX input tensor it feeds. */
export interface InputSpec extends ImageInputSpec {
  readonly name: string;
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
  /**
   * Every value of the graph, to tell a caller who names one that is not a
   * layer what it is; absent for descriptors built without a model file.
   */
  readonly values?: ModelValues;
  /** The provider that runs the model. */
  readonly executionProvider: ExecutionProviderName;
  /** ORT_EXECUTION_PROVIDERS, in order of preference. */
  readonly requestedExecutionProviders: readonly ExecutionProviderName[];
  /** Why the preferred provider is not the one in use (CUDA asked for and missing); absent when it is. */
  readonly executionProviderFallback?: string;
  readonly specSource: 'model.json' | 'inferred';
}
