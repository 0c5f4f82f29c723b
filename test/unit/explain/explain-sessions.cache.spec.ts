/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { computeCam } from '../../../src/explain/cam-family.runner';
import type { ExplainableModel } from '../../../src/explain/explainable-model';
import { computeInputMap } from '../../../src/explain/input-gradient.runner';
import type { ModelTensor } from '../../../src/explain/input-tensor';
import { buildTestModel, poolingClassifierHead } from '../../support/onnx-test-model.builder';
import { explainableModel, parameters, testSessionFactory, testSessions } from './explain-test-kit';

/** conv-ReLU (features), conv-ReLU (features2), global average pooling, linear: input [1, 1, H, W], 3 classes. */
const tinyNet = buildTestModel({
  opset: 13,
  inputs: [{ name: 'input', shape: [1, 1, 'H', 'W'] as unknown as number[] }],
  initializers: [
    {
      name: 'w1',
      dims: [2, 1, 3, 3],
      data: [1, -1, 0.5, 0.2, 1, -0.3, 0, 0.7, -0.5, ...[-1, 0.4, 1, 0.3, -0.2, 0.8, 1, 0, 0.6]],
    },
    { name: 'w2', dims: [2, 2, 1, 1], data: [1, 0.5, -0.5, 1] },
    { name: 'fc', dims: [3, 2], data: [1, -1, 0.5, 2, -1, 1] },
    { name: 'bias', dims: [3], data: [0.1, 0, -0.1] },
  ],
  nodes: [
    {
      op: 'Conv',
      inputs: ['input', 'w1'],
      outputs: ['c1'],
      attributes: { pads: { kind: 'ints', value: [1, 1, 1, 1] } },
    },
    { op: 'Relu', inputs: ['c1'], outputs: ['features'] },
    { op: 'Conv', inputs: ['features', 'w2'], outputs: ['c2'] },
    { op: 'Relu', inputs: ['c2'], outputs: ['features2'] },
    ...poolingClassifierHead('features2'),
  ],
  outputs: ['logits'],
});

const image = (size: number): ModelTensor => ({
  data: Float32Array.from({ length: size * size }, (_, i) => Math.sin(i * 0.7) + 0.2),
  dims: [1, 1, size, size],
  layout: 'NCHW',
});

describe('ExplainSessions caching of augmented and batched models', () => {
  const factory = testSessionFactory();
  const create = jest.spyOn(factory, 'create');
  const sessions = testSessions(16, factory);
  let small: ExplainableModel;
  let large: ExplainableModel;

  beforeAll(async () => {
    small = await explainableModel(
      tinyNet,
      { name: 'input', dims: [1, 1, 8, 8] },
      { name: 'tiny', output: 'logits' },
    );
    large = await explainableModel(
      tinyNet,
      { name: 'input', dims: [1, 1, 12, 12] },
      { name: 'tiny', output: 'logits' },
    );
  });

  afterAll(() => sessions.clear());

  const cam = (
    model: ExplainableModel,
    layer: string,
    given: Record<string, string>,
    target: number | 'top' = 'top',
  ) =>
    computeCam(
      { model, sessions, layer, options: parameters(given) },
      image(model.inputDims[2] ?? 8),
      target,
    );
  const input = (given: Record<string, string>, target: number | 'top' = 'top') =>
    computeInputMap(
      {
        model: small,
        sessions,
        layer: 'features',
        options: parameters(given),
        blackBaseline: new Float32Array(64),
      },
      image(8),
      target,
    );

  it('builds one session per (model, input shape, targets, relu rule, score) and reuses it for every other request', async () => {
    const steps: [string, () => Promise<unknown>, number][] = [
      ['gradcam on features', () => cam(small, 'features', { method: 'gradcam' }), 1],
      ['the same request again', () => cam(small, 'features', { method: 'gradcam' }), 1],
      ['another class', () => cam(small, 'features', { method: 'gradcam' }, 2), 1],
      [
        'another gradient method on the same layer',
        () => cam(small, 'features', { method: 'hirescam' }),
        1,
      ],
      [
        'aug_smooth (six runs)',
        () => cam(small, 'features', { method: 'layercam', aug_smooth: 'true' }),
        1,
      ],
      ['another layer', () => cam(small, 'features2', { method: 'gradcam' }), 2],
      [
        'score=probability',
        () => cam(small, 'features', { method: 'gradcam', score: 'probability' }),
        3,
      ],
      ['the input gradient (saliency)', () => input({ method: 'saliency' }), 4],
      [
        'smoothgrad and integrated-gradients: the same input gradient',
        () =>
          Promise.all([
            input({ method: 'smoothgrad', samples: '2' }),
            input({ method: 'integrated-gradients', steps: '3' }),
          ]),
        4,
      ],
      ['the guided relu rule', () => input({ method: 'guided-backprop' }), 5],
      [
        'guided-gradcam: the layer session of gradcam and the guided input session',
        () => input({ method: 'guided-gradcam' }),
        5,
      ],
      [
        'the same model at another input shape',
        () => cam(large, 'features', { method: 'gradcam' }),
        6,
      ],
      [
        'scorecam: the batched forward model',
        () => cam(small, 'features', { method: 'scorecam' }),
        7,
      ],
      ['eigencam: the same forward model', () => cam(small, 'features', { method: 'eigencam' }), 7],
      [
        'ablationcam: the forward model with ablation inputs',
        () => cam(small, 'features', { method: 'ablationcam' }),
        8,
      ],
      [
        'scorecam and ablationcam again',
        () =>
          Promise.all([
            cam(small, 'features', { method: 'scorecam' }),
            cam(small, 'features', { method: 'ablationcam' }),
          ]),
        8,
      ],
    ];

    const counts: [string, number][] = [];
    for (const [what, run] of steps) {
      await run();
      counts.push([what, create.mock.calls.length]);
    }

    expect(counts).toEqual(steps.map(([what, , expected]) => [what, expected]));
  }, 60_000);
});
