import * as ort from 'onnxruntime-node';

import { encodeModel } from '../onnx/onnx.codec';
import { exposeValues } from '../onnx/expose-values';
import type { ModelProto } from '../onnx/onnx.types';
import type { ValueFacts } from '../onnx/value-facts';
import { AugmentedSessionCache } from '../runtime/augmented-session.cache';
import type { SessionFactory } from '../runtime/session-factory';

export interface ExposingModel {
  /** Cache key part that changes when the model file changes. */
  readonly key: string;
  readonly proto: ModelProto;
  readonly facts: ValueFacts;
  readonly inputName: string;
}

/** Sessions kept for distinct (model, value set) pairs. */
const SESSION_CAPACITY = 8;

/**
 * Runs a model with some intermediate values added as outputs, so one forward
 * pass returns them; the augmented sessions are cached per (model, values).
 */
export class ExposedValuesRunner {
  private readonly cache = new AugmentedSessionCache<ort.InferenceSession>(SESSION_CAPACITY);

  constructor(private readonly sessions: SessionFactory) {}

  async run(
    model: ExposingModel,
    values: readonly string[],
    input: ort.Tensor,
  ): Promise<ReadonlyMap<string, ort.Tensor>> {
    const wanted = [...new Set(values)].sort();
    const key = `${model.key}\u0000${wanted.join('\u0000')}`;
    const build = async (): Promise<ort.InferenceSession> => {
      const bytes = encodeModel(exposeValues(model.proto, wanted, model.facts));
      return (await this.sessions.create(bytes)).session;
    };

    return this.cache.use(key, build, async (session) => {
      const outputs = await session.run({ [model.inputName]: input }, wanted);
      return new Map(wanted.map((name) => [name, outputs[name]]));
    });
  }

  close(): Promise<void> {
    return this.cache.clear();
  }
}
