/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { computeCam } from '../../../src/explain/cam-family.runner';
import type { ExplainableModel } from '../../../src/explain/explainable-model';
import { reluMinMax } from '../../../src/explain/map-normalization';
import { readNpy } from '../../support/npy.reader';
import {
  REPO_ROOT,
  fixtureNet,
  type FixtureNetReference,
  maxAbsDifference,
  parameters,
  testSessions,
} from './explain-test-kit';

/** The parts of test/fixtures/nets/<net>/reference.json this spec reads (scripts/fixtures/README.md). */
interface Reference extends FixtureNetReference {
  readonly layers: readonly {
    readonly value: string;
    readonly shape: number[];
    readonly activation: string;
    readonly gradient: string;
  }[];
}

/** PyTorch's activation A and gradient G = dS/dA at one layer, [K, h, w] channel-major. */
interface LayerReference {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
  readonly a: Float32Array;
  readonly g: Float32Array;
}

/**
 * The CAM methods whose map comes from A and G alone, written out here from pytorch-grad-cam
 * (base_cam.py applies the ReLU after the channel sum) so that the expected maps owe nothing to
 * src/. Every map is ReLU(sum over channels), in float64, at the layer's h x w.
 */
const METHODS = [
  'gradcam',
  'hirescam',
  'gradcam-elementwise',
  'xgradcam',
  'layercam',
  'gradcam++',
] as const;
type Method = (typeof METHODS)[number];

/** pytorch-grad-cam: grad_cam_plusplus.py's eps in the alpha denominator, xgrad_cam.py's in the weight's. */
const GRADCAM_PP_EPS = 1e-6;
const XGRADCAM_EPS = 1e-7;

const relu = (v: number): number => (v > 0 ? v : 0);

/**
 * A method's expected map ReLU(sum_k T_k) and its conditioning: the largest value of the map over
 * the largest sum_k |T_kij| of its channel terms T_kij (w_k A_kij, or the elementwise terms).
 */
interface ExpectedMap {
  readonly map: Float64Array;
  readonly termScale: number;
  readonly conditioning: number;
}

/** ReLU(sum_k T_k) for channel terms T_kij = term(k, G_kij, A_kij). */
function channelSum(
  t: LayerReference,
  term: (k: number, g: number, a: number) => number,
): ExpectedMap {
  const area = t.height * t.width;
  const sum = new Float64Array(area);
  const magnitude = new Float64Array(area);
  for (let k = 0; k < t.channels; k += 1) {
    for (let p = 0; p < area; p += 1) {
      const value = term(k, t.g[k * area + p], t.a[k * area + p]);
      sum[p] = sum[p] + value;
      magnitude[p] = magnitude[p] + Math.abs(value);
    }
  }
  const map = sum.map(relu);
  const termScale = Math.max(...magnitude);
  return { map, termScale, conditioning: termScale > 0 ? Math.max(...map) / termScale : 0 };
}

/** w_k = sum_ij f(G_kij, A_kij, sum_ij A_k). */
function channelWeights(
  t: LayerReference,
  f: (g: number, a: number, sumA: number) => number,
): Float64Array {
  const area = t.height * t.width;
  const weights = new Float64Array(t.channels);
  for (let k = 0; k < t.channels; k += 1) {
    let sumA = 0;
    for (let p = k * area; p < (k + 1) * area; p += 1) {
      sumA += t.a[p];
    }
    let w = 0;
    for (let p = k * area; p < (k + 1) * area; p += 1) {
      w += f(t.g[p], t.a[p], sumA);
    }
    weights[k] = w;
  }
  return weights;
}

/** ReLU(sum_k w_k A_k). */
function weightedSum(t: LayerReference, weights: Float64Array): ExpectedMap {
  return channelSum(t, (k, _g, a) => weights[k] * a);
}

const FORMULAS: Readonly<Record<Method, (t: LayerReference) => ExpectedMap>> = {
  // GradCAM: w_k = mean_ij G_k.
  gradcam: (t) =>
    weightedSum(
      t,
      channelWeights(t, (g) => g / (t.height * t.width)),
    ),
  // HiResCAM: sum_k G_k * A_k.
  hirescam: (t) => channelSum(t, (_k, g, a) => g * a),
  // GradCAMElementWise: sum_k ReLU(G_k * A_k).
  'gradcam-elementwise': (t) => channelSum(t, (_k, g, a) => relu(g * a)),
  // XGradCAM: w_k = sum_ij (G_k A_k) / (sum_ij A_k + 1e-7).
  xgradcam: (t) =>
    weightedSum(
      t,
      channelWeights(t, (g, a, sumA) => (g * a) / (sumA + XGRADCAM_EPS)),
    ),
  // LayerCAM: sum_k ReLU(G_k) * A_k.
  layercam: (t) => channelSum(t, (_k, g, a) => relu(g) * a),
  // GradCAMPlusPlus: aij = G^2 / (2 G^2 + sum_ij(A_k) G^3 + 1e-6), 0 where G = 0; w_k = sum_ij ReLU(G) aij.
  'gradcam++': (t) =>
    weightedSum(
      t,
      channelWeights(t, (g, _a, sumA) => {
        const g2 = g * g;
        const g3 = g2 * g;
        const aij = g === 0 ? 0 : g2 / (2 * g2 + sumA * g3 + GRADCAM_PP_EPS);
        return relu(g) * aij;
      }),
    ),
};

/** docs/methods.md post-processing: ReLU, then min-max to [0, 1]; a constant map becomes zeros. */
function normalise(map: Float64Array): Float64Array {
  const r = map.map(relu);
  const lo = Math.min(...r);
  const hi = Math.max(...r);
  return hi > lo ? r.map((v) => (v - lo) / (hi - lo)) : new Float64Array(r.length);
}

/**
 * As fixture-references.spec.ts, on maps normalised to [0, 1]: onnxruntime's float32 against
 * PyTorch's float64 (whose A and G are stored as float32), with every pre-activation kept 1e-6
 * from its kink by the fixture script. The raw maps (ReLU'd) are compared relative to their
 * largest value with the same bound, which also catches a method right up to a factor.
 */
const TOLERANCE = 1e-4;
/** Two methods' expected maps must differ by this much, so that one swapped for the other fails. */
const DISTINCT = 100 * TOLERANCE;
/** A gradient with max |G_kij - mean_ij G_k| below this share of max |G| is spatially constant. */
const CONSTANT_GRADIENT = 1e-3;
/**
 * onnxruntime's A and G agree with PyTorch's to about 1e-6 of their size, so a map whose largest
 * value is a share c of its largest sum_k |T_kij| carries an error of about 1e-6 / c of that value:
 * maps with c >= 1e-2 are compared within TOLERANCE. A map below that is cancellation left over
 * (hirescam on a layer that only feeds a LayerNormalization over channels: S is invariant to
 * scaling A at each position, so sum_k G_k A_k = 0 up to the LayerNorm's epsilon); it must then be
 * zero within TOLERANCE of its terms, and so must the service's.
 */
const WELL_CONDITIONED = 1e-2;

const NETS = path.join(REPO_ROOT, 'test/fixtures/nets');
const names = fs.existsSync(NETS)
  ? fs.readdirSync(NETS).filter((n) => fs.existsSync(path.join(NETS, n, 'reference.json')))
  : [];
const references = names.map(
  (name) =>
    JSON.parse(fs.readFileSync(path.join(NETS, name, 'reference.json'), 'utf8')) as Reference,
);

function layerReference(net: string, layer: Reference['layers'][number]): LayerReference {
  const a = readNpy(path.join(NETS, net, layer.activation));
  const g = readNpy(path.join(NETS, net, layer.gradient));
  const [, channels = 0, height = 0, width = 0] = layer.shape;
  if ([a.shape, g.shape].some((shape) => shape.join() !== layer.shape.join())) {
    throw new Error(`${net}/${layer.value}: A ${a.shape.join()} and G ${g.shape.join()}`);
  }
  return { channels, height, width, a: a.data, g: g.data };
}

/** max over k, i, j of |G_kij - mean_ij G_k|, over max |G|. */
function gradientSpread(t: LayerReference): number {
  const area = t.height * t.width;
  let spread = 0;
  let largest = 0;
  for (let k = 0; k < t.channels; k += 1) {
    let mean = 0;
    for (let p = k * area; p < (k + 1) * area; p += 1) {
      mean += t.g[p] / area;
    }
    for (let p = k * area; p < (k + 1) * area; p += 1) {
      spread = Math.max(spread, Math.abs(t.g[p] - mean));
      largest = Math.max(largest, Math.abs(t.g[p]));
    }
  }
  return largest > 0 ? spread / largest : 0;
}

function expectedMaps(t: LayerReference): Record<Method, ExpectedMap> {
  return Object.fromEntries(METHODS.map((m) => [m, FORMULAS[m](t)])) as Record<Method, ExpectedMap>;
}

/** Every layer but the main one (whose maps fixture-references.spec.ts checks) with a varying G. */
const checked = references.map((reference) => ({
  reference,
  layers: reference.layers
    .filter((layer) => layer.value !== reference.mainLayer)
    .map((layer) => ({ value: layer.value, tensors: layerReference(reference.name, layer) }))
    .filter(({ tensors }) => gradientSpread(tensors) > CONSTANT_GRADIENT)
    .map(({ value, tensors }) => ({ value, tensors, expected: expectedMaps(tensors) })),
}));

const PAIRS = METHODS.flatMap((m, i) => METHODS.slice(i + 1).map((n) => [m, n] as const));

/** ReLU(G * A) = ReLU(G) * A wherever A >= 0 (a ReLU's output): the two maps are then one. */
const sameWhereActivationNonNegative = (m: Method, n: Method): boolean =>
  m === 'gradcam-elementwise' && n === 'layercam';

/** Pairs of well-conditioned maps and their largest difference after normalisation. */
function pairDifferences(expected: Record<Method, ExpectedMap>) {
  return PAIRS.filter(
    ([m, n]) =>
      expected[m].conditioning >= WELL_CONDITIONED && expected[n].conditioning >= WELL_CONDITIONED,
  ).map(([m, n]) => ({
    pair: `${m} / ${n}`,
    same: sameWhereActivationNonNegative(m, n),
    difference: maxAbsDifference(normalise(expected[m].map), normalise(expected[n].map)),
  }));
}

describe('CAM methods at inner layers against maps computed here from PyTorch A and G', () => {
  it('finds, in every fixture net, an inner layer whose gradient varies over positions', () => {
    expect(names.length).toBeGreaterThan(0);
    expect(checked.filter(({ layers }) => layers.length > 0).map((n) => n.reference.name)).toEqual(
      names,
    );
  });

  // Anchors the formulas above: on the main layer's A and G they give the committed PyTorch maps.
  it.each(references.map((r) => [r.name, r] as const))(
    '%s: these formulas on the main layer reproduce the committed method maps',
    (name, reference) => {
      const layer = reference.layers.find((l) => l.value === reference.mainLayer);
      expect(layer).toBeDefined();
      const maps = expectedMaps(layerReference(name, layer!));
      const differences = METHODS.map((method) => {
        const file = reference.methods[reference.mainLayer]?.[method];
        const committed = file === undefined ? [] : readNpy(path.join(NETS, name, file)).data;
        return { method, difference: maxAbsDifference(normalise(maps[method].map), committed) };
      });

      expect(differences.filter(({ difference }) => !(difference <= TOLERANCE))).toEqual([]);
    },
  );

  it(`tells every pair of methods apart by more than ${DISTINCT} at some checked layer`, () => {
    const toldApart = new Set(
      checked.flatMap(({ layers }) =>
        layers.flatMap(({ expected }) =>
          pairDifferences(expected)
            .filter(({ difference }) => difference > DISTINCT)
            .map(({ pair }) => pair),
        ),
      ),
    );

    expect([...toldApart].sort()).toEqual(PAIRS.map(([m, n]) => `${m} / ${n}`).sort());
  });

  describe.each(
    checked
      .filter(({ layers }) => layers.length > 0)
      .map(({ reference, layers }) => [reference.name, reference, layers] as const),
  )('%s', (name, reference, layers) => {
    const dir = path.join(NETS, name);
    const sessions = testSessions();
    const { tensor, load } = fixtureNet(dir, reference);
    let model: ExplainableModel;

    beforeAll(async () => {
      model = await load();
    }, 60_000);

    afterAll(() => sessions.clear());

    const camOf = (layer: string, method: Method) =>
      computeCam(
        { model, sessions, layer, options: parameters({ method }) },
        tensor,
        reference.targetClass,
      );

    describe.each(layers.map((l) => [l.value, l] as const))(
      '%s',
      (layer, { tensors, expected }) => {
        const nonNegative = tensors.a.every((v) => v >= 0);

        it(`the expected maps differ pairwise by more than ${DISTINCT}${nonNegative ? ' (gradcam-elementwise = layercam: A >= 0)' : ''}`, () => {
          const differences = pairDifferences(expected);
          const same = (d: { same: boolean }) => nonNegative && d.same;

          expect(differences.filter((d) => !same(d) && !(d.difference > DISTINCT))).toEqual([]);
          expect(differences.filter((d) => same(d) && d.difference !== 0)).toEqual([]);
        });

        const wellConditioned = METHODS.filter((m) => expected[m].conditioning >= WELL_CONDITIONED);
        it.each(wellConditioned)(
          `%s on ${layer} for class ${reference.targetClass} matches within ${TOLERANCE}`,
          async (method) => {
            const result = await camOf(layer, method);

            const want = expected[method].map;
            const scale = Math.max(...want);
            expect(result.classIndex).toBe(reference.targetClass);
            expect([result.raw.height, result.raw.width]).toEqual([tensors.height, tensors.width]);
            expect(
              maxAbsDifference(reluMinMax(result.raw).data, normalise(want)),
            ).toBeLessThanOrEqual(TOLERANCE);
            expect(maxAbsDifference(result.raw.data.map(relu), want) / scale).toBeLessThanOrEqual(
              TOLERANCE,
            );
          },
          60_000,
        );

        const cancelled = METHODS.filter((m) => expected[m].conditioning < WELL_CONDITIONED);
        if (cancelled.length > 0) {
          it.each(cancelled)(
            `%s on ${layer} cancels to zero within ${TOLERANCE} of its terms, in PyTorch and here`,
            async (method) => {
              const { termScale, conditioning } = expected[method];
              const result = await camOf(layer, method);

              const largest = Math.max(...Array.from(result.raw.data, Math.abs));
              expect(result.classIndex).toBe(reference.targetClass);
              expect(conditioning).toBeLessThanOrEqual(TOLERANCE);
              expect(largest / termScale).toBeLessThanOrEqual(TOLERANCE);
            },
            60_000,
          );
        }
      },
    );
  });
});
