/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { float, int, type AttributeValue } from '../../../src/onnx/autodiff/gradient-rule';
import { expectGradcheck } from '../../support/gradcheck';
import { buildTestModel } from '../../support/onnx-test-model.builder';

describe('Gemm gradient', () => {
  const cases: [
    string,
    number[],
    number[],
    number[] | undefined,
    Record<string, AttributeValue>,
  ][] = [
    ['plain with C broadcast from [N]', [3, 4], [4, 5], [5], {}],
    [
      'transA, transB, alpha, beta',
      [4, 3],
      [5, 4],
      [3, 5],
      { transA: int(1), transB: int(1), alpha: float(0.5), beta: float(2) },
    ],
    ['transB with C of [1, N]', [2, 4], [5, 4], [1, 5], { transB: int(1) }],
    ['C as a scalar', [2, 3], [3, 2], [1], { transA: int(0), beta: float(-1.5) }],
    ['no C (opset 11+)', [2, 3], [3, 4], undefined, { alpha: float(3) }],
  ];

  it.each(cases)(
    'matches finite differences for A, B and C: %s',
    async (_name, a, bShape, c, attributes) => {
      const model = buildTestModel({
        inputs: [
          { name: 'A', shape: a },
          { name: 'B', shape: bShape },
          ...(c === undefined ? [] : [{ name: 'C', shape: c }]),
        ],
        nodes: [
          {
            op: 'Gemm',
            inputs: c === undefined ? ['A', 'B'] : ['A', 'B', 'C'],
            outputs: ['Y'],
            attributes,
          },
        ],
        outputs: ['Y'],
      });
      await expectGradcheck(model, { wrt: c === undefined ? ['A', 'B'] : ['A', 'B', 'C'] });
    },
  );
});

describe('MatMul gradient', () => {
  const cases: [string, number[], number[]][] = [
    ['matrices', [3, 4], [4, 2]],
    ['batched', [2, 3, 4], [2, 4, 2]],
    ['broadcast batch', [2, 1, 3, 4], [3, 4, 2]],
    ['matrix times batched', [3, 4], [2, 4, 5]],
    ['vector times matrix', [4], [4, 3]],
    ['matrix times vector', [2, 3, 4], [4]],
    ['vector dot vector', [5], [5]],
  ];

  it.each(cases)('matches finite differences for A and B: %s', async (_name, a, bShape) => {
    const model = buildTestModel({
      inputs: [
        { name: 'A', shape: a },
        { name: 'B', shape: bShape },
      ],
      nodes: [{ op: 'MatMul', inputs: ['A', 'B'], outputs: ['Y'] }],
      outputs: ['Y'],
    });
    await expectGradcheck(model, { wrt: ['A', 'B'] });
  });
});
