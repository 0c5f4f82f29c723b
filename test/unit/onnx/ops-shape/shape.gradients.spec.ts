/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { readAttributes } from '../../../../src/onnx/attribute.reader';
import { GraphBackwardBuilder } from '../../../../src/onnx/autodiff/backward.builder';
import { differentiate } from '../../../../src/onnx/autodiff/differentiate';
import { float, int, ints } from '../../../../src/onnx/autodiff/gradient-rule';
import { gradientRuleFor } from '../../../../src/onnx/autodiff/gradient-rules';
import { GraphView } from '../../../../src/onnx/graph.view';
import { DataType } from '../../../../src/onnx/onnx.types';
import { probeValueFacts } from '../../../../src/runtime/value-probe';
import { expectGradcheck } from '../../../support/gradcheck';
import { buildTestModel, singleNodeModel } from '../../../support/onnx-test-model.builder';
import { castThroughDouble } from './cast.models';

const X = { name: 'X', shape: [2, 3, 2] };
const int64s = (values: number[]): BigInt64Array => BigInt64Array.from(values, BigInt);
const check = (model: Parameters<typeof expectGradcheck>[0], wrt = ['X']) =>
  expectGradcheck(model, { wrt, score: 'probability' });

describe('shape operator gradients (central finite differences)', () => {
  it.each([
    ['Flatten axis 1', 'Flatten', { axis: int(1) }, 13],
    ['Flatten axis -1', 'Flatten', { axis: int(-1) }, 13],
    ['Flatten axis 0', 'Flatten', { axis: int(0) }, 11],
    ['Transpose default (reversed)', 'Transpose', {}, 13],
    ['Transpose perm [1, 2, 0]', 'Transpose', { perm: ints([1, 2, 0]) }, 13],
    ['Squeeze with axes attribute (opset 11)', 'Squeeze', {}, 11],
    ['Unsqueeze with axes attribute (opset 11)', 'Unsqueeze', { axes: ints([0, 3]) }, 11],
    ['Identity', 'Identity', {}, 13],
    ['Dropout (inference: identity)', 'Dropout', {}, 13],
  ])('%s matches', async (_label, op, attributes, opset) => {
    const input = op === 'Squeeze' ? { name: 'X', shape: [2, 1, 3] } : X;
    await check(
      singleNodeModel(op, [input], op === 'Squeeze' ? { axes: ints([1]) } : attributes, { opset }),
    );
  });

  it.each([
    ['Reshape to [3, -1]', 'Reshape', [2], [3, -1], X.shape],
    ['Squeeze axes input [-2] (opset 13)', 'Squeeze', [1], [-2], [2, 1, 3]],
    ['Unsqueeze axes input [-1, 0] (opset 13)', 'Unsqueeze', [2], [-1, 0], X.shape],
    ['Expand [3, 1] to [2, 3, 4]', 'Expand', [3], [2, 3, 4], [3, 1]],
    ['Tile [2, 3] by [2, 3]', 'Tile', [2], [2, 3], [2, 3]],
  ])('%s matches', async (_label, op, dims, values, shape) => {
    const model = singleNodeModel(
      op,
      [{ name: 'X', shape }],
      {},
      {
        opset: 13,
        initializers: [{ name: 'S', dims, data: int64s(values) }],
      },
    );
    await check(model);
  });

  it.each([
    ['axis 1 (opset 17)', 1, 17],
    ['axis -1 (opset 17)', -1, 17],
    ['axis 1 (opset 9, Slice by attributes)', 1, 9],
  ])('Concat along %s matches for three inputs of different sizes', async (_label, axis, opset) => {
    const model = singleNodeModel(
      'Concat',
      [
        { name: 'A', shape: [2, 1, 2] },
        { name: 'B', shape: [2, 3, 2] },
        { name: 'C', shape: [2, 2, 2] },
      ].map((v) => (axis === -1 ? { ...v, shape: [2, 2, v.shape[1]] } : v)),
      { axis: int(axis) },
      { opset },
    );
    await check(model, ['A', 'B', 'C']);
  });

  describe('Split', () => {
    /** Split X [2, 4] on axis 1 into [2, 1] and [2, 3] and multiply them, so both pieces carry a gradient. */
    const bothPieces = (opset: number, split: 'attribute' | 'input' | 'num_outputs') =>
      buildTestModel({
        opset,
        inputs: [{ name: 'X', shape: [2, 4] }],
        initializers: split === 'input' ? [{ name: 'SPLIT', dims: [2], data: int64s([1, 3]) }] : [],
        nodes: [
          {
            op: 'Split',
            inputs: split === 'input' ? ['X', 'SPLIT'] : ['X'],
            outputs: ['P', 'Q'],
            attributes: {
              axis: int(-1),
              ...(split === 'attribute' ? { split: ints([1, 3]) } : {}),
              ...(split === 'num_outputs' ? { num_outputs: int(2) } : {}),
            },
          },
          { op: 'Mul', inputs: ['P', 'Q'], outputs: ['Y'] },
        ],
        outputs: ['Y'],
      });

    it('takes split as an attribute at opset 11', async () => {
      await check(bothPieces(11, 'attribute'));
    });

    it('takes split as an input at opset 13', async () => {
      await check(bothPieces(13, 'input'));
    });

    it('takes num_outputs at opset 18', async () => {
      await check(bothPieces(18, 'num_outputs'));
    });

    it('gives a piece nothing uses a zero gradient', async () => {
      const model = singleNodeModel(
        'Split',
        [{ name: 'X', shape: [4, 2] }],
        {},
        { opset: 13, outputs: 2 },
      );
      await check(model);
    });
  });

  describe('Cast', () => {
    it('casts the gradient back through float -> double -> float', async () => {
      await check(castThroughDouble(X));
    });

    it('passes nothing through a cast to int64 (the gradient is zero)', async () => {
      const model = buildTestModel({
        inputs: [X],
        nodes: [
          { op: 'Cast', inputs: ['X'], outputs: ['I'], attributes: { to: int(DataType.INT64) } },
          { op: 'Cast', inputs: ['I'], outputs: ['F'], attributes: { to: int(DataType.FLOAT) } },
          { op: 'Add', inputs: ['F', 'X'], outputs: ['Y'] },
        ],
        outputs: ['Y'],
      });
      await check(model);
    });
  });

  it('Dropout with a ratio input and mask output (opset 13) is an identity at inference', async () => {
    const model = singleNodeModel(
      'Dropout',
      [X],
      {},
      {
        opset: 13,
        outputs: 2,
        initializers: [{ name: 'R', dims: [], data: [0.5] }],
      },
    );
    await check(model);
  });

  describe('Dropout in training mode', () => {
    /** Dropout(X, 0.5, T) at opset 13 with training_mode T a BOOL initializer or graph input. */
    const dropout = (training: 'constant true' | 'constant false' | 'run-time') =>
      buildTestModel({
        opset: 13,
        inputs: [
          X,
          ...(training === 'run-time' ? [{ name: 'T', shape: [], type: DataType.BOOL }] : []),
        ],
        initializers: [
          { name: 'R', dims: [], data: [0.5] },
          ...(training === 'run-time'
            ? []
            : [
                {
                  name: 'T',
                  dims: [],
                  data: Uint8Array.of(training === 'constant true' ? 1 : 0),
                  type: DataType.BOOL,
                },
              ]),
        ],
        nodes: [{ op: 'Dropout', inputs: ['X', 'R', 'T'], outputs: ['Y'], name: 'drop' }],
        outputs: ['Y'],
      });

    it('is an identity with a constant false training_mode', async () => {
      await check(dropout('constant false'));
    });

    it.each([
      ['constant true', 'true'],
      ['run-time', '"T", a value computed at run time'],
    ] as const)(
      'refuses a %s training_mode with UNSUPPORTED_OPERATOR_ATTRIBUTE',
      async (training, received) => {
        const model = dropout(training);
        const facts = await probeValueFacts(model, {
          X: X.shape,
          ...(training === 'run-time' ? { T: [] } : {}),
        });

        expect(() => differentiate(model, facts, { targets: ['X'], score: 'probability' })).toThrow(
          expect.objectContaining({
            code: 'UNSUPPORTED_OPERATOR_ATTRIBUTE',
            message: `Operator Dropout (node "drop"): input 2 (training_mode) must be a constant false (inference) for cnn-lens to differentiate it, got ${received}`,
          }),
        );
      },
    );

    // onnxruntime runs no Dropout older than opset 7 and differentiate() refuses
    // such models, so the rule is called directly with an opset-6 builder.
    it.each([
      ['is_test 0', { is_test: int(0) }, '0'],
      ['no is_test (the default, training)', {}, '0'],
    ])('refuses %s before opset 7', (_label, attributes, received) => {
      const model = singleNodeModel('Dropout', [X], attributes, { opset: 6 });
      const node = model.graph!.node[0];
      const facts = new Map([
        ['X', { shape: X.shape, elementType: DataType.FLOAT }],
        ['Y', { shape: X.shape, elementType: DataType.FLOAT }],
      ]);
      const builder = new GraphBackwardBuilder({
        view: new GraphView(model),
        facts,
        opset: 6,
        reluRule: 'standard',
        needsGradient: (value) => value === 'X' || value === 'Y',
        usedNames: new Set(['X', 'Y']),
        shapeDerived: new Set(),
      });
      const rule = gradientRuleFor('Dropout', '');
      const forward = {
        name: node.name ?? '',
        opType: 'Dropout',
        domain: '',
        inputs: node.input,
        outputs: node.output,
        attributes: readAttributes(node),
      };

      expect(() => rule?.(forward, ['Y'], builder)).toThrow(
        expect.objectContaining({
          code: 'UNSUPPORTED_OPERATOR_ATTRIBUTE',
          message: `Operator Dropout (node "Dropout_0"): attribute is_test must be 1 (inference) for cnn-lens to differentiate it, got ${received}`,
        }),
      );
    });
  });

  it('LeakyRelu after Transpose chains through both rules', async () => {
    const model = buildTestModel({
      inputs: [X],
      nodes: [
        { op: 'Transpose', inputs: ['X'], outputs: ['T'], attributes: { perm: ints([2, 0, 1]) } },
        { op: 'LeakyRelu', inputs: ['T'], outputs: ['Y'], attributes: { alpha: float(0.2) } },
      ],
      outputs: ['Y'],
    });
    await check(model);
  });
});
