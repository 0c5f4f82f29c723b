/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { float, floats, int, ints, str } from '../../../../src/onnx/autodiff/gradient-rule';
import type { NodeAttributeValue } from '../../../../src/onnx/onnx.factory';
import { expectGradcheck } from '../../../support/gradcheck';
import { buildTestModel } from '../../../support/onnx-test-model.builder';

const X = { name: 'X', shape: [1, 2, 3, 4] };
type Attributes = Record<string, NodeAttributeValue>;

/** Resize X with constant scales (float) or sizes (int64); roi omitted. */
function resizeModel(
  opset: number,
  target: { scales: number[] } | { sizes: number[] },
  attributes: Attributes,
) {
  const byScales = 'scales' in target;
  const values = byScales ? target.scales : target.sizes;
  return buildTestModel({
    opset,
    inputs: [X],
    initializers: [
      byScales
        ? { name: 'T', dims: [values.length], data: values }
        : { name: 'T', dims: [values.length], data: BigInt64Array.from(values, BigInt) },
    ],
    nodes: [
      {
        op: 'Resize',
        inputs: byScales ? ['X', '', 'T'] : ['X', '', '', 'T'],
        outputs: ['Y'],
        attributes,
      },
    ],
    outputs: ['Y'],
  });
}

const check = (model: Parameters<typeof expectGradcheck>[0]) =>
  expectGradcheck(model, { wrt: ['X'], score: 'probability' });

const COORDINATES = ['half_pixel', 'asymmetric', 'align_corners', 'pytorch_half_pixel'];
const TARGETS: [string, { scales: number[] } | { sizes: number[] }][] = [
  ['scales x2', { scales: [1, 1, 2, 2] }],
  ['scales 1.5 x 0.75', { scales: [1, 1, 1.5, 0.75] }],
  ['sizes 5 x 7', { sizes: [1, 2, 5, 7] }],
  ['sizes 2 x 2 (down)', { sizes: [1, 2, 2, 2] }],
];

describe('Resize gradient (central finite differences)', () => {
  describe.each(COORDINATES)('linear, %s', (coordinate) => {
    it.each(TARGETS)('matches for %s', async (_label, target) => {
      const attributes = { mode: str('linear'), coordinate_transformation_mode: str(coordinate) };
      await check(resizeModel(13, target, attributes));
    });
  });

  describe.each(COORDINATES)('nearest, %s', (coordinate) => {
    it.each(['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'])(
      'matches with nearest_mode %s',
      async (nearest) => {
        const attributes = {
          coordinate_transformation_mode: str(coordinate),
          nearest_mode: str(nearest),
        };
        await check(resizeModel(13, { scales: [1, 1, 1.5, 0.75] }, attributes));
        await check(resizeModel(13, { sizes: [1, 2, 6, 2] }, attributes));
      },
    );
  });

  it.each([
    [-0.75, 0],
    [-0.5, 1],
  ])('matches cubic with a = %p, exclude_outside %p', async (a, exclude) => {
    const attributes = {
      mode: str('cubic'),
      cubic_coeff_a: float(a),
      exclude_outside: int(exclude),
    };
    await check(resizeModel(13, { scales: [1, 1, 2, 1.5] }, attributes));
  });

  it('matches at opset 11 (roi present but empty) in linear mode', async () => {
    const model = buildTestModel({
      opset: 11,
      inputs: [X],
      initializers: [
        { name: 'ROI', dims: [0], data: [] },
        { name: 'S', dims: [4], data: [1, 1, 2, 2] },
      ],
      nodes: [
        {
          op: 'Resize',
          inputs: ['X', 'ROI', 'S'],
          outputs: ['Y'],
          attributes: { mode: str('linear') },
        },
      ],
      outputs: ['Y'],
    });
    await check(model);
  });

  it('matches half_pixel_symmetric at opset 19', async () => {
    const attributes = {
      mode: str('linear'),
      coordinate_transformation_mode: str('half_pixel_symmetric'),
    };
    await check(resizeModel(19, { scales: [1, 1, 1.5, 1.7] }, attributes));
  });

  it('matches scales given for the axes attribute only (opset 18)', async () => {
    const model = buildTestModel({
      opset: 18,
      inputs: [X],
      initializers: [{ name: 'S', dims: [2], data: [2, 1.5] }],
      nodes: [
        {
          op: 'Resize',
          inputs: ['X', '', 'S'],
          outputs: ['Y'],
          attributes: { mode: str('linear'), axes: ints([2, 3]) },
        },
      ],
      outputs: ['Y'],
    });
    await check(model);
  });

  it.each(['not_larger', 'not_smaller'])(
    'matches sizes with keep_aspect_ratio_policy %s (opset 18)',
    async (policy) => {
      const model = buildTestModel({
        opset: 18,
        inputs: [X],
        initializers: [{ name: 'SIZES', dims: [2], data: BigInt64Array.of(6n, 6n) }],
        nodes: [
          {
            op: 'Resize',
            inputs: ['X', '', '', 'SIZES'],
            outputs: ['Y'],
            attributes: {
              mode: str('linear'),
              axes: ints([2, 3]),
              keep_aspect_ratio_policy: str(policy),
            },
          },
        ],
        outputs: ['Y'],
      });
      await check(model);
    },
  );

  it.each(['nearest', 'linear'])(
    'matches Resize-10 in %s mode (asymmetric, as Upsample)',
    async (mode) => {
      const model = buildTestModel({
        opset: 10,
        inputs: [X],
        initializers: [{ name: 'S', dims: [4], data: [1, 1, 2, 1.5] }],
        nodes: [
          { op: 'Resize', inputs: ['X', 'S'], outputs: ['Y'], attributes: { mode: str(mode) } },
        ],
        outputs: ['Y'],
      });
      await check(model);
    },
  );

  it.each(['nearest', 'linear'])('matches Upsample-9 (scales input) in %s mode', async (mode) => {
    const model = buildTestModel({
      opset: 9,
      inputs: [X],
      initializers: [{ name: 'S', dims: [4], data: [1, 1, 2, 3] }],
      nodes: [
        { op: 'Upsample', inputs: ['X', 'S'], outputs: ['Y'], attributes: { mode: str(mode) } },
      ],
      outputs: ['Y'],
    });
    await check(model);
  });

  it('matches Upsample-7 (scales attribute) in nearest mode', async () => {
    const model = buildTestModel({
      opset: 7,
      inputs: [X],
      nodes: [
        {
          op: 'Upsample',
          inputs: ['X'],
          outputs: ['Y'],
          attributes: { scales: floats([1, 1, 2, 2]) },
        },
      ],
      outputs: ['Y'],
    });
    await check(model);
  });

  it('refuses antialiased down-sampling with UNSUPPORTED_OPERATOR_ATTRIBUTE', async () => {
    const model = resizeModel(
      18,
      { scales: [1, 1, 0.5, 0.5] },
      { mode: str('linear'), antialias: int(1) },
    );
    await expect(check(model)).rejects.toMatchObject({
      code: 'UNSUPPORTED_OPERATOR_ATTRIBUTE',
      message:
        'Operator Resize (node "Resize_0"): attribute antialias must be 0 when down-sampling for cnn-lens to differentiate it, got 1',
    });
  });

  it('refuses tf_crop_and_resize, naming the allowed modes', async () => {
    const model = buildTestModel({
      opset: 13,
      inputs: [X],
      initializers: [
        { name: 'ROI', dims: [8], data: [0, 0, 0, 0, 1, 1, 1, 1] },
        { name: 'S', dims: [4], data: [1, 1, 2, 2] },
      ],
      nodes: [
        {
          op: 'Resize',
          inputs: ['X', 'ROI', 'S'],
          outputs: ['Y'],
          attributes: {
            mode: str('linear'),
            coordinate_transformation_mode: str('tf_crop_and_resize'),
          },
        },
      ],
      outputs: ['Y'],
    });
    await expect(check(model)).rejects.toMatchObject({
      code: 'UNSUPPORTED_OPERATOR_ATTRIBUTE',
      message:
        'Operator Resize (node "Resize_0"): attribute coordinate_transformation_mode must be one of half_pixel, half_pixel_symmetric, pytorch_half_pixel, align_corners, asymmetric for cnn-lens to differentiate it, got "tf_crop_and_resize"',
    });
  });
});
