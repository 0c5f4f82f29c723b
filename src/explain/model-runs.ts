import * as ort from 'onnxruntime-node';

import type { ForwardSession, GradientSession } from './explain-sessions';
import { controlledRun, type RunControl } from './run-control';
import { TimeBoundedBatch } from './time-bounded-batch';

/** The class to differentiate: an index, or the top-scoring class found in the same run. */
export type RunTarget = number | 'top';

export interface GradientRun {
  /** The score value's entries for the image (logits or probabilities). */
  readonly scores: Float32Array;
  readonly classIndex: number;
  readonly activation: Float32Array | undefined;
  readonly gradient: Float32Array | undefined;
  readonly inputGradient: Float32Array | undefined;
}

/** Index of the largest value; the first one on ties, as onnxruntime's ArgMax. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) {
    if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) {
      best = i;
    }
  }
  return best;
}

const floats = (tensor: ort.Tensor | undefined): Float32Array | undefined =>
  tensor === undefined ? undefined : (tensor.data as Float32Array);

/**
 * One run of an augmented model on a batch-1 input: forward and backward
 * together, the upstream gradient being the one-hot row of the target class.
 */
export async function runGradient(
  s: GradientSession,
  input: Float32Array,
  dims: readonly number[],
  target: RunTarget,
): Promise<GradientRun> {
  const classes = s.scoreShape.reduce((p, d) => p * d, 1);
  const upstream = new Float32Array(classes);
  if (target !== 'top') {
    upstream[target] = 1;
  }

  const feeds = {
    [s.input]: new ort.Tensor('float32', input, dims),
    [s.upstreamInput]: new ort.Tensor('float32', upstream, s.scoreShape),
    [s.autoInput]: new ort.Tensor('float32', Float32Array.of(target === 'top' ? 1 : 0), [1]),
  };
  const fetches = [
    s.scoreOutput,
    s.activationOutput,
    s.gradientOutput,
    s.inputGradientOutput,
  ].filter((name): name is string => name !== undefined);
  const out = await s.session.run(feeds, fetches);

  const scores = floats(out[s.scoreOutput]) ?? new Float32Array(classes);
  return {
    scores,
    classIndex: target === 'top' ? argmax(scores) : target,
    activation: s.activationOutput === undefined ? undefined : floats(out[s.activationOutput]),
    gradient: s.gradientOutput === undefined ? undefined : floats(out[s.gradientOutput]),
    inputGradient:
      s.inputGradientOutput === undefined ? undefined : floats(out[s.inputGradientOutput]),
  };
}

export interface ForwardRun {
  /** [batch, classes] scores. */
  readonly scores: Float32Array;
  /** [batch, K, h, w] layer activations. */
  readonly activation: Float32Array;
}

/** The channel each batch row replaces by `value` (Ablation-CAM), or none for a plain run. */
export interface RowAblation {
  readonly channels: number;
  /** The constant an ablated channel takes everywhere. */
  readonly value: number;
  /** The channel of batch row `row`, or -1 to keep every channel. */
  channelOf(row: number): number;
}

/** One run of the batched forward model; an ablation session without `ablation` keeps every channel. */
export async function runForward(
  s: ForwardSession,
  input: Float32Array,
  dims: readonly number[],
  ablation?: RowAblation,
): Promise<ForwardRun> {
  const batch = dims[0] ?? 1;
  const feeds: Record<string, ort.Tensor> = { [s.input]: new ort.Tensor('float32', input, dims) };
  if (s.ablation !== undefined) {
    const channels = ablation?.channels ?? s.layerChannels;
    const keep = new Float32Array(batch * channels).fill(1);
    const fill = new Float32Array(batch * channels);
    for (let row = 0; row < batch && ablation !== undefined; row += 1) {
      const k = ablation.channelOf(row);
      if (k >= 0) {
        keep[row * channels + k] = 0;
        fill[row * channels + k] = ablation.value;
      }
    }
    feeds[s.ablation.keepInput] = new ort.Tensor('float32', keep, [batch, channels, 1, 1]);
    feeds[s.ablation.fillInput] = new ort.Tensor('float32', fill, [batch, channels, 1, 1]);
  }

  const out = await s.session.run(feeds, [...new Set([s.scoreOutput, s.layerOutput])]);
  return {
    scores: floats(out[s.scoreOutput]) ?? new Float32Array(0),
    activation: floats(out[s.layerOutput]) ?? new Float32Array(0),
  };
}

/** Sample i replaces channel i of the layer by `value` (Ablation-CAM). */
export interface SampleAblation {
  readonly channels: number;
  readonly value: number;
}

/** What else a batched scoring takes: the ablation, and the job's control over its runs. */
export interface BatchedScoring {
  /** Sample i also has channel i ablated (Ablation-CAM). */
  readonly ablation?: SampleAblation;
  /** Checked before and told after every batch's run. */
  readonly control?: RunControl;
  /** Longest a run should take (RUN_BUDGET_MS); its batch shrinks to fit. */
  readonly runBudgetMs?: number;
}

/**
 * The target's score for each of `count` inputs made by `fill(i, out)`, at
 * most `batchSize` per run and no more than fit in the run budget
 * (TimeBoundedBatch: a run blocks the event loop); falls back to one per
 * run, for good, when the graph cannot take a larger batch.
 */
export async function batchedTargetScores(
  s: ForwardSession,
  sampleDims: readonly number[],
  count: number,
  batchSize: number,
  classIndex: number,
  fill: (sample: number, out: Float32Array) => void,
  { ablation, control, runBudgetMs }: BatchedScoring = {},
): Promise<Float64Array> {
  const sampleSize = sampleDims.slice(1).reduce((p, d) => p * d, 1);
  const scores = new Float64Array(count);
  const sizer = new TimeBoundedBatch(batchSize, runBudgetMs);
  let start = 0;

  while (start < count) {
    const batch = s.batchable ? sizer.next(count - start) : 1;
    const input = new Float32Array(batch * sampleSize);
    for (let b = 0; b < batch; b += 1) {
      fill(start + b, input.subarray(b * sampleSize, (b + 1) * sampleSize));
    }
    const first = start;
    const rows =
      ablation === undefined ? undefined : { ...ablation, channelOf: (row: number) => first + row };

    let run: ForwardRun;
    const started = performance.now();
    try {
      run = await controlledRun(
        control,
        () => runForward(s, input, [batch, ...sampleDims.slice(1)], rows),
        batch / batchSize,
      );
    } catch (error) {
      if (batch === 1 || !s.batchable) {
        throw error;
      }
      s.batchable = false;
      continue;
    }
    sizer.record(batch, performance.now() - started);
    const classes = run.scores.length / batch;
    for (let b = 0; b < batch; b += 1) {
      scores[start + b] = run.scores[b * classes + classIndex] ?? 0;
    }
    start += batch;
  }
  return scores;
}
