/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { expectGradcheck } from '../../../support/gradcheck';
import { buildTestModel, singleNodeModel } from '../../../support/onnx-test-model.builder';
import { countOf, spread } from './gradcheck-inputs';

/** Values in [0.5, 1.5]: safe for Div, Log, Sqrt, Reciprocal and Pow with a fractional exponent. */
const positive = (shape: readonly number[], seed = 3): Float32Array =>
  spread(countOf(shape), 0.5, seed).map((v) => v + 1);

const BROADCASTS: [string, number[], number[]][] = [
  ['equal shapes', [2, 3], [2, 3]],
  ['[2, 3, 4] with [3, 1]', [2, 3, 4], [3, 1]],
  ['[1, 3, 1] with [2, 1, 4]', [1, 3, 1], [2, 1, 4]],
  ['a scalar with [2, 3]', [], [2, 3]],
];

describe('arithmetic gradients (central finite differences)', () => {
  describe.each(['Add', 'Sub', 'Mul', 'Div'])('%s', (op) => {
    it.each(BROADCASTS)(
      'matches for %s, gradients summed over broadcast axes',
      async (_label, a, b) => {
        const model = singleNodeModel(op, [
          { name: 'A', shape: a },
          { name: 'B', shape: b },
        ]);
        await expectGradcheck(model, {
          wrt: ['A', 'B'],
          score: 'probability',
          inputs: { B: positive(b) },
        });
      },
    );
  });

  it.each([
    ['Neg', spread(6)],
    ['Exp', spread(6)],
    ['Abs', spread(6)],
    ['Sqrt', positive([2, 3])],
    ['Reciprocal', positive([2, 3])],
    ['Log', positive([2, 3])],
  ])('%s matches', async (op, x) => {
    const model = singleNodeModel(op, [{ name: 'X', shape: [2, 3] }]);
    await expectGradcheck(model, { wrt: ['X'], score: 'probability', inputs: { X: x } });
  });

  describe('Pow', () => {
    it.each([
      ['a scalar 2', [], [2]],
      ['a scalar 0.5', [], [0.5]],
      ['a broadcast [3] vector', [3], [1, 2, 3]],
    ])('matches with a constant exponent: %s', async (_label, dims, exponent) => {
      const model = singleNodeModel(
        'Pow',
        [{ name: 'X', shape: [2, 3] }],
        {},
        {
          initializers: [{ name: 'P', dims, data: exponent }],
        },
      );
      await expectGradcheck(model, {
        wrt: ['X'],
        score: 'probability',
        inputs: { X: positive([2, 3]) },
      });
    });

    it('matches with an int64 exponent (opset 13)', async () => {
      const model = singleNodeModel(
        'Pow',
        [{ name: 'X', shape: [2, 3] }],
        {},
        {
          opset: 13,
          initializers: [{ name: 'P', dims: [], data: BigInt64Array.of(3n) }],
        },
      );
      await expectGradcheck(model, { wrt: ['X'], score: 'probability', inputs: { X: spread(6) } });
    });

    it('differentiates a run-time exponent too (positive base)', async () => {
      const model = singleNodeModel('Pow', [
        { name: 'X', shape: [2, 3] },
        { name: 'P', shape: [3] },
      ]);
      await expectGradcheck(model, {
        wrt: ['X', 'P'],
        score: 'probability',
        inputs: { X: positive([2, 3]) },
      });
    });
  });

  describe.each(['Max', 'Min'])('%s', (op) => {
    it('matches for two broadcast inputs', async () => {
      const model = singleNodeModel(op, [
        { name: 'A', shape: [2, 3] },
        { name: 'B', shape: [3] },
      ]);
      await expectGradcheck(model, { wrt: ['A', 'B'], score: 'probability' });
    });

    it('matches for three inputs', async () => {
      const model = singleNodeModel(op, [
        { name: 'A', shape: [2, 2] },
        { name: 'B', shape: [2, 2] },
        { name: 'C', shape: [2, 2] },
      ]);
      await expectGradcheck(model, {
        wrt: ['A', 'B', 'C'],
        score: 'probability',
        inputs: { A: spread(4, 1, 1), B: spread(4, 1, 2), C: spread(4, 1, 5) },
      });
    });

    // At a two-way tie the central difference of max(a, b) in a is
    // (h - 0) / 2h = 1/2: the rule's even split between tied inputs (PyTorch's
    // choice) is exactly what finite differences measure.
    it('splits the gradient evenly between two tied inputs', async () => {
      const model = singleNodeModel(op, [
        { name: 'A', shape: [4] },
        { name: 'B', shape: [4] },
      ]);
      await expectGradcheck(model, {
        wrt: ['A', 'B'],
        score: 'probability',
        inputs: {
          A: Float32Array.of(0.25, -0.5, 0.75, 1),
          B: Float32Array.of(0.25, 0.5, 0.75, -1),
        },
      });
    });
  });

  it.each(['Sum', 'Mean'])('%s matches for three broadcast inputs', async (op) => {
    const model = singleNodeModel(op, [
      { name: 'A', shape: [2, 3] },
      { name: 'B', shape: [3] },
      { name: 'C', shape: [2, 1] },
    ]);
    await expectGradcheck(model, { wrt: ['A', 'B', 'C'], score: 'probability' });
  });

  it('Where sends the gradient to X where the condition holds, to Y elsewhere, none to the condition', async () => {
    const model = buildTestModel({
      inputs: [
        { name: 'K', shape: [2, 1] },
        { name: 'X', shape: [2, 3] },
        { name: 'Y', shape: [3] },
      ],
      initializers: [{ name: 'ZERO', dims: [], data: [0] }],
      nodes: [
        { op: 'Greater', inputs: ['K', 'ZERO'], outputs: ['C'] },
        { op: 'Where', inputs: ['C', 'X', 'Y'], outputs: ['OUT'] },
      ],
      outputs: ['OUT'],
    });
    await expectGradcheck(model, {
      wrt: ['X', 'Y'],
      score: 'probability',
      inputs: { K: Float32Array.of(1, -1) },
    });
  });
});
