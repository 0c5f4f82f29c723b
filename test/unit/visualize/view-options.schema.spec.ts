import {
  featureMapOptionsSchema,
  histogramOptionsSchema,
  kernelOptionsSchema,
  readJobOptions,
} from '../../../src/visualize/view-options.schema';

describe('readJobOptions', () => {
  it('should read the options a transport queued', () => {
    expect(readJobOptions(kernelOptionsSchema, { layer: 'conv1', format: 'npy' })).toMatchObject({
      layer: 'conv1',
      format: 'npy',
      tile: 24,
    });
  });

  it.each([
    [kernelOptionsSchema, { layer: '' }, 'layer', 'a value or node name of the model', '""'],
    [
      featureMapOptionsSchema,
      { layers: ['conv1', ''] },
      'layers',
      'a value or node name of the model',
      '["conv1",""]',
    ],
    [
      histogramOptionsSchema,
      { layers: 'conv1' },
      'layers',
      'a list of value or node names of the model',
      '"conv1"',
    ],
    [featureMapOptionsSchema, { limit: 0 }, 'limit', 'a positive integer', '0'],
  ])(
    'should refuse %#: %j naming the option, in the project words, with its value',
    (schema, options, name, expected, received) => {
      expect(() => readJobOptions(schema, options)).toThrow(
        expect.objectContaining({
          code: 'INVALID_PARAMETER',
          message: `parameter "${name}" must be ${expected}; received ${received}`,
        }),
      );
    },
  );
});
