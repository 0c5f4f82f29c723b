/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { computeCam } from '../../../src/explain/cam-family.runner';
import { computeInputMap } from '../../../src/explain/input-gradient.runner';
import type { ModelTensor } from '../../../src/explain/input-tensor';
import { reluMinMax } from '../../../src/explain/map-normalization';
import { readNpy } from '../../support/npy.reader';
import {
  REPO_ROOT,
  explainableModel,
  maxAbsDifference,
  parameters,
  testSessions,
} from './explain-test-kit';

interface Reference {
  readonly name: string;
  readonly input: { readonly name: string; readonly shape: number[]; readonly file: string };
  readonly output: string;
  readonly targetClass: number;
  readonly mainLayer: string;
  readonly camApplies: boolean;
  readonly methods: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly inputMethods: Readonly<Record<string, string>>;
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

  describe.each(names)('%s', (name) => {
    const dir = path.join(NETS, name);
    const reference = JSON.parse(
      fs.readFileSync(path.join(dir, 'reference.json'), 'utf8'),
    ) as Reference;
    const sessions = testSessions();
    const input = readNpy(path.join(dir, reference.input.file));
    const tensor: ModelTensor = { data: input.data, dims: reference.input.shape, layout: 'NCHW' };
    const load = () =>
      explainableModel(
        path.join(dir, 'model.onnx'),
        { name: reference.input.name, dims: reference.input.shape },
        {
          output: reference.output,
          outputKind: reference.output === 'probabilities' ? 'probabilities' : 'logits',
        },
      );
    let model: Awaited<ReturnType<typeof load>>;

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

    const inputMethods = Object.entries(reference.inputMethods);
    it.each(inputMethods)(
      `%s matches within ${TOLERANCE}`,
      async (method, file) => {
        const ig = reference.methodOptions?.['integrated-gradients'];
        const options = parameters({
          method,
          ...(ig === undefined ? {} : { steps: String(ig.steps), baseline: ig.baseline }),
        });
        const ctx = {
          model,
          sessions,
          layer: undefined,
          options,
          blackBaseline: new Float32Array(input.data.length),
        };
        const result = await computeInputMap(ctx, tensor, reference.targetClass);

        const expected = readNpy(path.join(dir, file));
        expect(maxAbsDifference(reluMinMax(result.raw).data, expected.data)).toBeLessThanOrEqual(
          TOLERANCE,
        );
      },
      60_000,
    );

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
