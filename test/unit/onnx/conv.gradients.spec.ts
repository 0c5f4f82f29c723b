/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { ints, int, str, type AttributeValue } from '../../../src/onnx/autodiff/gradient-rule';
import { expectGradcheck } from '../../support/gradcheck';
import { buildTestModel } from '../../support/onnx-test-model.builder';

type Attributes = Record<string, AttributeValue>;

function convModel(
  op: 'Conv' | 'ConvTranspose',
  x: number[],
  w: number[],
  attributes: Attributes,
  bias: boolean,
) {
  const biasSize =
    op === 'Conv'
      ? (w[0] ?? 1)
      : (w[1] ?? 1) * ((attributes.group?.value as number | undefined) ?? 1);
  return buildTestModel({
    inputs: [
      { name: 'X', shape: x },
      { name: 'W', shape: w },
      ...(bias ? [{ name: 'B', shape: [biasSize] }] : []),
    ],
    nodes: [{ op, inputs: bias ? ['X', 'W', 'B'] : ['X', 'W'], outputs: ['Y'], attributes }],
    outputs: ['Y'],
  });
}

describe('Conv gradient', () => {
  const cases: [string, number[], number[], Attributes][] = [
    ['plain 3x3', [1, 2, 5, 5], [3, 2, 3, 3], {}],
    [
      'stride 2 with symmetric pads',
      [2, 2, 6, 6],
      [2, 2, 3, 3],
      { strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) },
    ],
    [
      'stride 2 that does not divide the input',
      [1, 1, 7, 6],
      [2, 1, 3, 2],
      { strides: ints([2, 3]) },
    ],
    [
      'asymmetric pads',
      [1, 2, 5, 4],
      [2, 2, 3, 3],
      { pads: ints([0, 2, 1, 0]), strides: ints([2, 1]) },
    ],
    [
      'dilation 2',
      [1, 1, 7, 7],
      [2, 1, 3, 3],
      { dilations: ints([2, 2]), pads: ints([1, 1, 1, 1]) },
    ],
    [
      'stride and dilation together',
      [1, 2, 9, 8],
      [2, 2, 2, 3],
      { dilations: ints([2, 1]), strides: ints([2, 2]) },
    ],
    ['groups', [1, 4, 5, 5], [6, 2, 3, 3], { group: int(2), pads: ints([1, 1, 1, 1]) }],
    ['depthwise', [2, 3, 5, 5], [3, 1, 3, 3], { group: int(3), strides: ints([2, 2]) }],
    [
      'SAME_UPPER',
      [1, 2, 6, 5],
      [2, 2, 3, 2],
      { auto_pad: str('SAME_UPPER'), strides: ints([2, 2]) },
    ],
    [
      'SAME_LOWER',
      [1, 2, 6, 5],
      [2, 2, 3, 2],
      { auto_pad: str('SAME_LOWER'), strides: ints([2, 2]) },
    ],
    ['VALID', [1, 2, 6, 5], [2, 2, 3, 3], { auto_pad: str('VALID'), strides: ints([2, 1]) }],
  ];

  it.each(cases)(
    'matches finite differences for X, W and B: %s',
    async (_name, x, w, attributes) => {
      await expectGradcheck(convModel('Conv', x, w, attributes, true), { wrt: ['X', 'W', 'B'] });
    },
  );

  it('matches finite differences for a 1-D convolution', async () => {
    const attributes = { strides: ints([2]), pads: ints([1, 0]), dilations: ints([2]) };
    await expectGradcheck(convModel('Conv', [2, 2, 9], [3, 2, 3], attributes, true), {
      wrt: ['X', 'W', 'B'],
    });
  });
});

describe('ConvTranspose gradient', () => {
  const cases: [string, number[], number[], Attributes][] = [
    ['plain', [1, 2, 3, 3], [2, 3, 3, 3], {}],
    [
      'stride 2, pads',
      [1, 2, 3, 4],
      [2, 2, 3, 3],
      { strides: ints([2, 2]), pads: ints([1, 0, 1, 1]) },
    ],
    [
      'output_padding',
      [1, 1, 3, 3],
      [1, 2, 3, 3],
      { strides: ints([2, 2]), output_padding: ints([1, 1]), pads: ints([0, 1, 0, 0]) },
    ],
    ['groups and dilation', [1, 4, 3, 3], [4, 1, 2, 2], { group: int(2), dilations: ints([2, 1]) }],
    [
      'output_shape',
      [1, 1, 3, 3],
      [1, 1, 3, 3],
      { strides: ints([2, 2]), output_shape: ints([6, 6]) },
    ],
  ];

  it.each(cases)(
    'matches finite differences for X, W and B: %s',
    async (_name, x, w, attributes) => {
      await expectGradcheck(convModel('ConvTranspose', x, w, attributes, true), {
        wrt: ['X', 'W', 'B'],
      });
    },
  );
});
