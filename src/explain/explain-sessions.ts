import type * as ort from 'onnxruntime-node';

import { differentiate } from '../onnx/autodiff/differentiate';
import type { ReluRule } from '../onnx/autodiff/gradient-rule';
import { encodeModel } from '../onnx/onnx.codec';
import { AugmentedSessionCache, type Releasable } from '../runtime/augmented-session.cache';
import type { SessionFactory } from '../runtime/session-factory';
import type { ExplainableModel, ScoreKind } from './explainable-model';
import { withAutoTarget } from './graph/auto-target.transform';
import { batchedForward, type ChannelAblationInputs } from './graph/batched-forward.transform';

export interface GradientSessionSpec {
  /** The layer whose activation and gradient are wanted; none for input-gradient methods. */
  readonly layer: string | undefined;
  readonly includeInput: boolean;
  readonly reluRule: ReluRule;
  readonly score: ScoreKind;
}

/** An augmented model's session: one run gives scores, activation, gradients. */
export interface GradientSession extends Releasable {
  readonly session: ort.InferenceSession;
  readonly input: string;
  readonly upstreamInput: string;
  readonly autoInput: string;
  readonly scoreOutput: string;
  readonly scoreShape: readonly number[];
  readonly scoreIsLogits: boolean;
  readonly activationOutput: string | undefined;
  readonly gradientOutput: string | undefined;
  readonly inputGradientOutput: string | undefined;
}

export interface ForwardSessionSpec {
  readonly layer: string;
  readonly gate: boolean;
  readonly score: ScoreKind;
}

/** The forward model with a free batch size, for Score-CAM's masked and Ablation-CAM's ablated copies. */
export interface ForwardSession extends Releasable {
  readonly session: ort.InferenceSession;
  readonly input: string;
  readonly scoreOutput: string;
  readonly layerOutput: string;
  /** K, the layer's channel count. */
  readonly layerChannels: number;
  /** The keep and fill inputs of an ablation session (spec.gate), else undefined. */
  readonly ablation: ChannelAblationInputs | undefined;
  readonly scoreIsLogits: boolean;
  /** Set to false when a batch above 1 failed (a graph that reshapes to a fixed batch of 1). */
  batchable: boolean;
}

type CachedSession = GradientSession | ForwardSession;

/**
 * Builds, once per (model, input shape, layer, relu rule, score kind), the
 * augmented or batched model a method needs, and keeps its onnxruntime
 * session in a bounded LRU cache.
 */
export class ExplainSessions {
  private readonly cache: AugmentedSessionCache<CachedSession>;

  constructor(
    private readonly factory: SessionFactory,
    capacity: number,
  ) {
    this.cache = new AugmentedSessionCache(capacity);
  }

  withGradient<R>(
    model: ExplainableModel,
    spec: GradientSessionSpec,
    work: (s: GradientSession) => Promise<R>,
  ): Promise<R> {
    const key = [
      'gradient',
      model.name,
      model.inputDims.join('x'),
      spec.layer ?? '',
      spec.includeInput,
      spec.reluRule,
      spec.score,
    ].join('|');
    return this.cache.use(
      key,
      () => this.buildGradient(model, spec),
      (s) => work(s as GradientSession),
    );
  }

  withForward<R>(
    model: ExplainableModel,
    spec: ForwardSessionSpec,
    work: (s: ForwardSession) => Promise<R>,
  ): Promise<R> {
    const key = [
      'forward',
      model.name,
      model.inputDims.join('x'),
      spec.layer,
      spec.gate,
      spec.score,
    ].join('|');
    return this.cache.use(
      key,
      () => this.buildForward(model, spec),
      (s) => work(s as ForwardSession),
    );
  }

  clear(): Promise<void> {
    return this.cache.clear();
  }

  private async buildGradient(
    model: ExplainableModel,
    spec: GradientSessionSpec,
  ): Promise<GradientSession> {
    const graph = model.scored(spec.score);
    const augmented = differentiate(graph.proto, graph.facts, {
      targets: spec.layer === undefined ? [] : [spec.layer],
      includeInput: spec.includeInput,
      output: graph.output,
      score: spec.score === 'logit' ? 'logits' : 'probability',
      reluRule: spec.reluRule,
    });
    const auto = withAutoTarget(augmented, graph.facts);
    const { session } = await this.factory.create(encodeModel(auto.model));
    const target = augmented.targets[0];

    return {
      session,
      input: model.inputName,
      upstreamInput: auto.upstreamInput,
      autoInput: auto.autoInput,
      scoreOutput: augmented.scoreOutput,
      scoreShape: graph.facts.get(augmented.scoreOutput)?.shape ?? [],
      scoreIsLogits: graph.scoreIsLogits,
      activationOutput: target?.activationOutput,
      gradientOutput: target?.gradientOutput,
      inputGradientOutput: augmented.inputGradientOutput,
      release: () => session.release(),
    };
  }

  private async buildForward(
    model: ExplainableModel,
    spec: ForwardSessionSpec,
  ): Promise<ForwardSession> {
    const graph = model.scored(spec.score);
    const forward = batchedForward(graph.proto, graph.facts, {
      score: graph.score,
      layer: spec.layer,
      gate: spec.gate,
    });
    const { session } = await this.factory.create(encodeModel(forward.model));

    return {
      session,
      input: forward.input,
      scoreOutput: forward.scoreOutput,
      layerOutput: forward.layerOutput,
      layerChannels: graph.facts.get(spec.layer)?.shape[1] ?? 1,
      ablation: forward.ablation,
      scoreIsLogits: graph.scoreIsLogits,
      batchable: true,
      release: () => session.release(),
    };
  }
}
