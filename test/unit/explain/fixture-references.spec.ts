/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { computeCam } from '../../../src/explain/cam-family.runner';
import type { ExplainableModel } from '../../../src/explain/explainable-model';
import { computeInputMap } from '../../../src/explain/input-gradient.runner';
import type { InputPlanes } from '../../../src/explain/methods/saliency.method';
import type { NormalSource } from '../../../src/explain/methods/smooth-grad.method';
import { reluMinMax } from '../../../src/explain/map-normalization';
import { readModelFile } from '../../../src/onnx/model-file.reader';
import { readNpy } from '../../support/npy.reader';
import {
  REPO_ROOT,
  fixtureNet,
  type FixtureNetReference,
  maxAbsDifference,
  parameters,
  testSessions,
} from './explain-test-kit';

interface Reference extends FixtureNetReference {
  readonly camApplies: boolean;
  /** aug_smooth, eigen_smooth and score=probability references: a method, its options, its file. */
  readonly methodVariants?: readonly {
    readonly method: string;
    readonly options: Readonly<Record<string, string>>;
    readonly file: string;
  }[];
  readonly inputMethods: Readonly<Record<string, string>>;
  readonly guidedGradient: string;
  /** PyTorch's d(score)/d(input) [1, C, H, W]. */
  readonly inputGradient: string;
  /** SmoothGrad with sigma > 0: the N(0, 1) draws [samples, C, H, W] PyTorch used, and its map. */
  readonly smoothGrad?: {
    readonly samples: number;
    readonly sigma: number;
    readonly noise: string;
    readonly map: string;
  };
  readonly methodOptions?: {
    readonly 'integrated-gradients'?: { steps: number; baseline: string };
  };
}

/**
 * docs/methods.md: every method's map after ReLU and min-max, against PyTorch (float64) references.
 * It holds because the fixture inputs keep every pre-activation away from its activation's kink,
 * at x and at every integrated-gradients path point (docs/methods.md, "float32 against float64").
 */
const TOLERANCE = 1e-4;
const NETS = path.join(REPO_ROOT, 'test/fixtures/nets');
const names = fs.existsSync(NETS)
  ? fs.readdirSync(NETS).filter((n) => fs.existsSync(path.join(NETS, n, 'reference.json')))
  : [];

describe('explanation methods against the PyTorch references of test/fixtures/nets', () => {
  it('finds the fixture networks', () => {
    expect(names.length).toBeGreaterThan(0);
  });

  it('has aug_smooth and eigen_smooth references for two methods each on at least three nets', () => {
    const withBoth = names.filter((name) => {
      const reference = JSON.parse(
        fs.readFileSync(path.join(NETS, name, 'reference.json'), 'utf8'),
      ) as Reference;
      const methodsWith = (option: string) =>
        new Set(
          (reference.methodVariants ?? [])
            .filter((v) => v.options[option] === 'true')
            .map((v) => v.method),
        ).size;
      return methodsWith('aug_smooth') >= 2 && methodsWith('eigen_smooth') >= 2;
    });

    expect(withBoth.length).toBeGreaterThanOrEqual(3);
  });

  it('has score=probability references on the softmax-ending net and on a net ending in logits', () => {
    const withProbability = names.filter((name) => {
      const reference = JSON.parse(
        fs.readFileSync(path.join(NETS, name, 'reference.json'), 'utf8'),
      ) as Reference;
      return (reference.methodVariants ?? []).some((v) => v.options.score === 'probability');
    });

    expect(withProbability).toEqual(expect.arrayContaining(['softmax-ending', 'resnet-basic']));
  });

  it('vgg has an inference Dropout node before its fully connected head (export drops the PyTorch one)', () => {
    const graph = readModelFile(path.join(NETS, 'vgg/model.onnx')).graph;
    const nodes = graph?.node ?? [];
    const dropout = nodes.find((node) => node.opType === 'Dropout');
    const head = nodes.findLast((node) => node.opType === 'Gemm');

    expect(dropout?.name).toBe('/model/classifier/classifier.2/Dropout');
    expect(head?.input[0]).toBe(dropout?.output[0]);
    expect(graph?.output.map((o) => o.name)).toEqual(['logits']);
  });

  describe.each(names)('%s', (name) => {
    const dir = path.join(NETS, name);
    const reference = JSON.parse(
      fs.readFileSync(path.join(dir, 'reference.json'), 'utf8'),
    ) as Reference;
    const sessions = testSessions();
    const { tensor, load } = fixtureNet(dir, reference);
    let model: ExplainableModel;

    beforeAll(async () => {
      model = await load();
    }, 60_000);

    afterAll(() => sessions.clear());

    const camMethods = Object.entries(reference.methods[reference.mainLayer] ?? {});
    it.each(camMethods)(
      `%s on ${reference.mainLayer} matches within ${TOLERANCE}`,
      async (method, file) => {
        const ctx = {
          model,
          sessions,
          layer: reference.mainLayer,
          options: parameters({ method }),
        };
        const result = await computeCam(ctx, tensor, reference.targetClass);

        const expected = readNpy(path.join(dir, file)).data;
        const ours = reluMinMax(result.raw).data;
        expect(result.classIndex).toBe(reference.targetClass);
        expect(maxAbsDifference(ours, expected)).toBeLessThanOrEqual(TOLERANCE);
      },
      60_000,
    );

    const variants = (reference.methodVariants ?? []).map((v) => {
      const options = Object.entries(v.options).map(([key, value]) => `${key}=${value}`);
      return [`${v.method} with ${options.join(', ')}`, v] as const;
    });
    if (variants.length > 0) {
      it.each(variants)(
        `%s on ${reference.mainLayer} matches within ${TOLERANCE}`,
        async (_, variant) => {
          const ctx = {
            model,
            sessions,
            layer: reference.mainLayer,
            options: parameters({ method: variant.method, ...variant.options }),
          };
          const result = await computeCam(ctx, tensor, reference.targetClass);

          const expected = readNpy(path.join(dir, variant.file)).data;
          expect(maxAbsDifference(reluMinMax(result.raw).data, expected)).toBeLessThanOrEqual(
            TOLERANCE,
          );
        },
        60_000,
      );
    }

    const inputContext = (options: Record<string, string>) => ({
      model,
      sessions,
      layer: reference.mainLayer,
      options: parameters(options),
      blackBaseline: new Float32Array(tensor.data.length),
    });

    /** Planes [C, H, W] equal to PyTorch's [1, C, H, W] gradient, relative to its largest magnitude. */
    const expectSignedPlanes = (planes: InputPlanes | undefined, file: string): void => {
      const expected = readNpy(path.join(dir, file));
      const [, channels, height, width] = expected.shape;
      expect(planes && [planes.channels, planes.height, planes.width]).toEqual([
        channels,
        height,
        width,
      ]);
      const scale = Math.max(...Array.from(expected.data, Math.abs));
      expect(scale).toBeGreaterThan(0);
      expect(maxAbsDifference(planes?.data ?? [], expected.data) / scale).toBeLessThanOrEqual(
        TOLERANCE,
      );
    };

    const inputMethods = Object.entries(reference.inputMethods);
    it.each(inputMethods)(
      `%s matches within ${TOLERANCE}`,
      async (method, file) => {
        const ig = reference.methodOptions?.['integrated-gradients'];
        const ctx = inputContext({
          method,
          ...(ig === undefined ? {} : { steps: String(ig.steps), baseline: ig.baseline }),
        });
        const result = await computeInputMap(ctx, tensor, reference.targetClass);

        const expected = readNpy(path.join(dir, file));
        expect(maxAbsDifference(reluMinMax(result.raw).data, expected.data)).toBeLessThanOrEqual(
          TOLERANCE,
        );
      },
      60_000,
    );

    it.each([
      ['guided-backprop', 'the signed guided gradient', reference.guidedGradient],
      ['saliency', 'the signed input gradient (normalize=false)', reference.inputGradient],
    ])(
      '%s keeps %s [C, H, W] within 1e-4 of its largest magnitude',
      async (method, _, file) => {
        const result = await computeInputMap(
          inputContext({ method }),
          tensor,
          reference.targetClass,
        );

        expectSignedPlanes(result.planes, file);
      },
      60_000,
    );

    it('smoothgrad with sigma=0 equals the saliency reference (every sample is x itself)', async () => {
      const result = await computeInputMap(
        inputContext({ method: 'smoothgrad', sigma: '0', samples: '3' }),
        tensor,
        reference.targetClass,
      );

      const saliency = readNpy(path.join(dir, reference.inputMethods.saliency ?? ''));
      expect(maxAbsDifference(reluMinMax(result.raw).data, saliency.data)).toBeLessThanOrEqual(
        TOLERANCE,
      );
    }, 60_000);

    const smooth = reference.smoothGrad;
    if (smooth !== undefined) {
      it(`smoothgrad with sigma=${smooth.sigma} fed PyTorch's noise matches within ${TOLERANCE}`, async () => {
        const noise = readNpy(path.join(dir, smooth.noise));
        const recorded = (): NormalSource => {
          let sample = 0;
          return (count) => {
            if (count !== tensor.data.length || (sample + 1) * count > noise.data.length) {
              throw new RangeError(`recorded noise: no sample ${sample} of ${count} draws`);
            }
            sample += 1;
            return noise.data.subarray((sample - 1) * count, sample * count);
          };
        };
        const ctx = {
          ...inputContext({
            method: 'smoothgrad',
            samples: String(smooth.samples),
            sigma: String(smooth.sigma),
          }),
          noise: recorded,
        };
        const result = await computeInputMap(ctx, tensor, reference.targetClass);

        const expected = readNpy(path.join(dir, smooth.map)).data;
        const saliency = readNpy(path.join(dir, reference.inputMethods.saliency ?? '')).data;
        expect(noise.shape).toEqual([smooth.samples, ...reference.input.shape.slice(1)]);
        // The noise moves the map well past the tolerance: a method that dropped it would fail.
        expect(maxAbsDifference(expected, saliency)).toBeGreaterThan(100 * TOLERANCE);
        expect(maxAbsDifference(reluMinMax(result.raw).data, expected)).toBeLessThanOrEqual(
          TOLERANCE,
        );
      }, 60_000);
    }

    if (reference.camApplies) {
      it('cam equals gradcam up to normalisation (global average pooling then one linear layer)', async () => {
        const cam = await computeCam(
          { model, sessions, layer: reference.mainLayer, options: parameters({ method: 'cam' }) },
          tensor,
          reference.targetClass,
        );
        const gradcam = readNpy(
          path.join(dir, reference.methods[reference.mainLayer]?.gradcam ?? ''),
        );

        expect(maxAbsDifference(reluMinMax(cam.raw).data, gradcam.data)).toBeLessThanOrEqual(
          TOLERANCE,
        );
      }, 60_000);
    }
  });
});
