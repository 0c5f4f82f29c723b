/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { float, int, type AttributeValue } from '../../../../src/onnx/autodiff/gradient-rule';
import { expectGradcheck } from '../../../support/gradcheck';
import { buildTestModel, singleNodeModel } from '../../../support/onnx-test-model.builder';
import { spread } from './gradcheck-inputs';

const X = { name: 'X', shape: [2, 3, 4] };

describe('activation gradients (central finite differences)', () => {
  it.each([
    ['Relu', {}],
    ['LeakyRelu', { alpha: float(0.1) }],
    ['Elu', { alpha: float(0.5) }],
    ['Selu', {}],
    ['Sigmoid', {}],
    ['Tanh', {}],
    ['Erf', {}],
    ['Softplus', {}],
  ])('%s %j matches', async (op, attributes) => {
    const model = singleNodeModel(op, [X], attributes);
    await expectGradcheck(model, {
      wrt: ['X'],
      score: 'probability',
      inputs: { X: spread(24, 2) },
    });
  });

  it('HardSigmoid with alpha 0.5, beta 0.4 matches on both sides of its kinks (-0.8, 1.2)', async () => {
    const model = singleNodeModel('HardSigmoid', [X], { alpha: float(0.5), beta: float(0.4) });
    await expectGradcheck(model, {
      wrt: ['X'],
      score: 'probability',
      inputs: { X: spread(24, 2.4) },
    });
  });

  it('HardSwish matches below -3, between and above 3 (opset 14)', async () => {
    const model = singleNodeModel('HardSwish', [X], {}, { opset: 14 });
    await expectGradcheck(model, {
      wrt: ['X'],
      score: 'probability',
      inputs: { X: spread(24, 4) },
    });
  });

  it.each([
    ['LeakyRelu', { alpha: float(0.1) }],
    ['Elu', {}],
    ['Selu', {}],
    ['Clip', { min: float(-0.5), max: float(0.5) }],
  ])(
    '%s matches at opset 8, where the rule blends instead of using Where',
    async (op, attributes) => {
      const model = singleNodeModel(op, [X], attributes, { opset: 8 });
      await expectGradcheck(model, {
        wrt: ['X'],
        score: 'probability',
        inputs: { X: spread(24, 2) },
      });
    },
  );

  describe('PRelu', () => {
    it.each([
      ['per channel [3, 1, 1]', [3, 1, 1]],
      ['single [1]', [1]],
      ['full [1, 3, 2, 2]', [1, 3, 2, 2]],
    ])('matches for X and a %s slope', async (_label, slopeShape) => {
      const model = singleNodeModel('PRelu', [
        { name: 'X', shape: [2, 3, 2, 2] },
        { name: 'S', shape: slopeShape },
      ]);
      await expectGradcheck(model, {
        wrt: ['X', 'S'],
        score: 'probability',
        inputs: { X: spread(24) },
      });
    });
  });

  describe('Clip', () => {
    it('takes min and max as attributes before opset 11 (ReLU6 shape)', async () => {
      const model = singleNodeModel('Clip', [X], { min: float(0), max: float(1) }, { opset: 10 });
      await expectGradcheck(model, {
        wrt: ['X'],
        score: 'probability',
        inputs: { X: spread(24, 2) },
      });
    });

    it('takes min and max as inputs from opset 11, and passes gradients to them', async () => {
      const model = singleNodeModel(
        'Clip',
        [X, { name: 'MIN', shape: [] }, { name: 'MAX', shape: [] }],
        {},
        { opset: 13 },
      );
      await expectGradcheck(model, {
        wrt: ['X', 'MIN', 'MAX'],
        score: 'probability',
        inputs: { X: spread(24, 2), MIN: Float32Array.of(-0.5), MAX: Float32Array.of(1) },
      });
    });

    it('accepts an omitted min input (only max given)', async () => {
      const model = buildTestModel({
        opset: 13,
        inputs: [X],
        initializers: [{ name: 'MAX', dims: [], data: [0.5] }],
        nodes: [{ op: 'Clip', inputs: ['X', '', 'MAX'], outputs: ['Y'] }],
        outputs: ['Y'],
      });
      await expectGradcheck(model, {
        wrt: ['X'],
        score: 'probability',
        inputs: { X: spread(24, 2) },
      });
    });
  });

  describe.each(['Softmax', 'LogSoftmax'])('%s', (op) => {
    it.each([
      [11, undefined],
      [11, 2],
      [11, -2],
      [13, undefined],
      [13, 1],
      [13, -3],
    ])('matches at opset %i with axis %p', async (opset, axis) => {
      const attributes: Record<string, AttributeValue> =
        axis === undefined ? {} : { axis: int(axis) };
      const model = singleNodeModel(op, [{ name: 'X', shape: [2, 3, 2, 2] }], attributes, {
        opset,
      });
      await expectGradcheck(model, {
        wrt: ['X'],
        score: 'probability',
        inputs: { X: spread(24, 2) },
      });
    });
  });
});
