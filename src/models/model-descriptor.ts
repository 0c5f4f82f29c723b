import type { InputSpec as ImageInputSpec } from '../imaging/input-spec';
import type { ExecutionProviderName } from '../runtime/session-factory';

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
  readonly executionProvider: ExecutionProviderName;
  readonly specSource: 'model.json' | 'inferred';
}
