import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';

import * as ort from 'onnxruntime-node';

import { encodeModel } from '../../src/onnx/onnx.codec';
import type { ModelProto } from '../../src/onnx/onnx.types';
import { defaultTargetLayer } from '../../src/onnx/targetable-layers';
import type { ValueFacts } from '../../src/onnx/value-facts';
import { peakRssMiB, resetPeakRss } from '../support/peak-rss';
import type { SampleSummary } from '../support/sample.stats';
import { interleavedLoop, type LoopBudget } from '../support/timed-loop';
import { finishProfile, oneHot, openAugmented, sessionOptions } from './engine-sessions';
import { operatorTimes, type OperatorTime } from './ort-profile.summary';

export interface EngineCase {
  readonly model: string;
  readonly proto: ModelProto;
  readonly facts: ValueFacts;
  readonly inputName: string;
  readonly outputName: string;
  readonly input: ort.Tensor;
}

export interface Measured extends SampleSummary {
  /** The process's peak resident set while this piece was opened and warmed up (VmHWM). */
  readonly peakRssMiB: number;
  /** What opening and warming up this piece added to the resident set. */
  readonly addedRssMiB?: number;
  /** Building the augmented model and opening its session, once. */
  readonly buildMs?: number;
}

export interface EngineResult {
  readonly layer: string;
  readonly plain: Measured;
  readonly lastLayer: Measured;
  readonly inputGradient: Measured;
  readonly profile?: EngineProfile;
}

export interface EngineProfile {
  readonly plain: readonly OperatorTime[];
  readonly lastLayer: readonly OperatorTime[];
  readonly inputGradient: readonly OperatorTime[];
}

export interface EngineOptions {
  readonly intraOpThreads: number;
  readonly budget: LoopBudget;
  /** Also profile each session with onnxruntime's profiler (kernel time per operator type). */
  readonly profileDir?: string;
}

interface OpenedRun {
  readonly run: () => Promise<unknown>;
  readonly release: () => Promise<void>;
  readonly peakRssMiB: number;
  readonly addedRssMiB: number;
  readonly buildMs?: number;
}

const PROFILE_RUNS = 5;

type Piece = 'plain' | 'lastLayer' | 'inputGradient';

/**
 * The engine's cost on one model: a plain inference run, the augmented run
 * for the last convolutional layer (Grad-CAM's), and the augmented run down
 * to the input (saliency's), all with the same session options, measured in
 * turns so that the machine's changing load falls on all three alike.
 */
export async function benchEngine(c: EngineCase, options: EngineOptions): Promise<EngineResult> {
  const layer = defaultTargetLayer(c.proto, c.facts)?.value;
  if (layer === undefined) {
    throw new Error(`${c.model}: no layer with spatial extent to explain`);
  }

  const opened: Partial<Record<Piece, OpenedRun>> = {};
  try {
    opened.plain = await openPlain(c, options);
    opened.lastLayer = await openAugmentedRun(c, { layers: [layer], includeInput: false }, options);
    opened.inputGradient = await openAugmentedRun(c, { layers: [], includeInput: true }, options);
    const runs = {
      plain: opened.plain.run,
      lastLayer: opened.lastLayer.run,
      inputGradient: opened.inputGradient.run,
    };
    const times = await interleavedLoop(runs, {
      ...options.budget,
      budgetMs: options.budget.budgetMs * 3,
    });

    const measured = (piece: Piece): Measured => {
      const o = opened[piece]!;
      return {
        ...times[piece],
        peakRssMiB: o.peakRssMiB,
        addedRssMiB: o.addedRssMiB,
        ...(o.buildMs === undefined ? {} : { buildMs: o.buildMs }),
      };
    };
    const result = {
      layer,
      plain: measured('plain'),
      lastLayer: measured('lastLayer'),
      inputGradient: measured('inputGradient'),
    };
    await releaseAll(opened);

    if (options.profileDir === undefined) {
      return result;
    }
    return { ...result, profile: await profileEngine(c, layer, options.profileDir, options) };
  } finally {
    await releaseAll(opened);
  }
}

async function releaseAll(opened: Partial<Record<Piece, OpenedRun>>): Promise<void> {
  for (const key of Object.keys(opened) as Piece[]) {
    await opened[key]?.release();
    delete opened[key];
  }
}

async function warmOpen(
  open: () => Promise<{
    run: () => Promise<unknown>;
    release: () => Promise<void>;
    buildMs?: number;
  }>,
  warmup: number,
): Promise<OpenedRun> {
  const before = process.memoryUsage().rss / 2 ** 20;
  resetPeakRss();
  const o = await open();
  for (let i = 0; i < Math.max(1, warmup); i++) {
    await o.run();
  }
  const peak = peakRssMiB();
  return { ...o, peakRssMiB: peak, addedRssMiB: peak - before };
}

const encoded = new WeakMap<ModelProto, Uint8Array>();

function encodeOnce(proto: ModelProto): Uint8Array {
  let bytes = encoded.get(proto);
  if (bytes === undefined) {
    bytes = encodeModel(proto);
    encoded.set(proto, bytes);
  }
  return bytes;
}

function openPlain(c: EngineCase, options: EngineOptions): Promise<OpenedRun> {
  return warmOpen(async () => {
    const session = await ort.InferenceSession.create(encodeOnce(c.proto), sessionOptions(options));
    const feeds = { [c.inputName]: c.input };
    return { run: () => session.run(feeds, [c.outputName]), release: () => session.release() };
  }, options.budget.warmup);
}

function openAugmentedRun(
  c: EngineCase,
  targets: { layers: string[]; includeInput: boolean },
  options: EngineOptions,
): Promise<OpenedRun> {
  return warmOpen(async () => {
    const { session, augmented, scoreShape, buildMs } = await openAugmented(
      c.proto,
      c.facts,
      targets,
      options,
    );
    const feeds = {
      [c.inputName]: c.input,
      [augmented.upstreamGradientInput]: oneHot(scoreShape, 0),
    };
    return { run: () => session.run(feeds), release: () => session.release(), buildMs };
  }, options.budget.warmup);
}

async function profileEngine(
  c: EngineCase,
  layer: string,
  dir: string,
  options: EngineOptions,
): Promise<EngineProfile> {
  await mkdir(dir, { recursive: true });
  const profiled = async (
    what: string,
    augmentedTargets?: { layers: string[]; includeInput: boolean },
  ) => {
    const prefix = path.join(dir, `${c.model}-${what}`);
    const o = { intraOpThreads: options.intraOpThreads, profilePrefix: prefix };
    let session: ort.InferenceSession;
    let feeds: Record<string, ort.Tensor> = { [c.inputName]: c.input };

    if (augmentedTargets === undefined) {
      session = await ort.InferenceSession.create(encodeOnce(c.proto), sessionOptions(o));
    } else {
      const a = await openAugmented(c.proto, c.facts, augmentedTargets, o);
      session = a.session;
      feeds = { ...feeds, [a.augmented.upstreamGradientInput]: oneHot(a.scoreShape, 0) };
    }

    try {
      // Profiling is on from the session's creation, so the first (warm-up) run is in the file too.
      for (let i = 0; i <= PROFILE_RUNS; i++) {
        await session.run(feeds);
      }
      const file = await finishProfile(session, prefix);
      return file === undefined ? [] : await operatorTimes(file, PROFILE_RUNS + 1);
    } finally {
      await session.release();
    }
  };

  return {
    plain: await profiled('plain'),
    lastLayer: await profiled('last-layer', { layers: [layer], includeInput: false }),
    inputGradient: await profiled('input-gradient', { layers: [], includeInput: true }),
  };
}
