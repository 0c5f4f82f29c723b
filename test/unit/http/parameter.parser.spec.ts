import { z } from 'zod';

import { explainParametersSchema } from '../../../src/explain/explain-parameters.schema';
import { parseParameters } from '../../../src/http/parameter.parser';
import { booleanParameter } from '../../../src/http/parameter.schemas';
import {
  featureMapParameters,
  histogramParameters,
  kernelParameters,
} from '../../../src/visualize/view-parameters.schema';

const schema = z
  .object({
    alpha: z.coerce.number().min(0).max(1).default(0.5),
    colormap: z.enum(['jet', 'gray']).default('jet'),
    async: booleanParameter.default(false),
  })
  .strict();

describe('parseParameters', () => {
  describe('a single-valued parameter given more than once', () => {
    it.each([
      ['in the query string', { alpha: ['0.3', '0.3'] }, {}],
      ['as form fields', {}, { alpha: ['0.3', '0.3'] }],
      ['in the query string and the form', { alpha: '0.3' }, { alpha: '0.3' }],
      [
        'twice in the query string and once in the form',
        { alpha: ['0.3', '0.3'] },
        { alpha: '0.3' },
      ],
    ])('should take one value repeated %s as that value', (_where, query, fields) => {
      expect(parseParameters(schema, query, fields)).toEqual({
        alpha: 0.3,
        colormap: 'jet',
        async: false,
      });
    });

    it('should fold enums and booleans alike', () => {
      expect(
        parseParameters(schema, { colormap: ['gray', 'gray'] }, { async: ['yes', 'yes'] }),
      ).toEqual({ alpha: 0.5, colormap: 'gray', async: true });
    });

    it.each([
      ['in the query string', { alpha: ['0.3', '0.4'] }, {}],
      ['as form fields', {}, { alpha: ['0.3', '0.4'] }],
      ['in the query string and the form', { alpha: '0.3' }, { alpha: '0.4' }],
    ])('should refuse different values %s with INVALID_PARAMETER', (_where, query, fields) => {
      expect(() => parseParameters(schema, query, fields)).toThrow(
        expect.objectContaining({
          code: 'INVALID_PARAMETER',
          message: expect.stringContaining('parameter "alpha" must be a single value'),
        }),
      );
    });
  });

  it("should say that a text parameter takes one value, without zod's wording of an array", () => {
    const textSchema = z.object({ layer: z.string().min(1).optional() });

    expect(() => parseParameters(textSchema, { layer: ['conv1', 'conv2'] })).toThrow(
      expect.objectContaining({
        code: 'INVALID_PARAMETER',
        message: 'parameter "layer" must be a single value; received ["conv1","conv2"]',
      }),
    );
  });

  it('should keep every value of a list parameter, repeats included', () => {
    const parsed = parseParameters(featureMapParameters, { layer: ['conv1', 'conv1'] });

    expect(parsed.layer).toEqual(['conv1', 'conv1']);
  });

  describe('layer lists (feature-maps layer and layers, histograms layers)', () => {
    const LIST =
      'one or more value or node names, repeated or comma separated, without empty items';

    it('should split comma lists, trim the items and keep them in order', () => {
      const parsed = parseParameters(
        featureMapParameters,
        { layers: 'conv1, relu1' },
        {
          layer: ['features', 'conv2'],
        },
      );

      expect(parsed.layers).toEqual(['conv1', 'relu1']);
      expect(parsed.layer).toEqual(['features', 'conv2']);
    });

    it.each([
      [featureMapParameters, 'layer', ''],
      [featureMapParameters, 'layers', ''],
      [featureMapParameters, 'layers', ','],
      [featureMapParameters, 'layer', ' '],
      [histogramParameters, 'layers', ''],
      [histogramParameters, 'layers', ','],
      [histogramParameters, 'layers', 'A,,B'],
      [histogramParameters, 'layers', 'A,'],
      [histogramParameters, 'layers', ',A'],
      [histogramParameters, 'layers', 'A, ,B'],
    ])(
      'should refuse %#: %s=%j, naming it, rather than drop the empty item',
      (schema, name, value) => {
        expect(() => parseParameters(schema, { [name]: value })).toThrow(
          expect.objectContaining({
            code: 'INVALID_PARAMETER',
            message: `parameter "${name}" must be ${LIST}; received ${JSON.stringify(value)}`,
          }),
        );
      },
    );

    it('should refuse an empty value among repeated ones, quoting them all', () => {
      expect(() => parseParameters(featureMapParameters, { layer: ['conv1', ''] })).toThrow(
        expect.objectContaining({
          message: `parameter "layer" must be ${LIST}; received ["conv1",""]`,
        }),
      );
    });

    it('should refuse an empty list item sent as gRPC sends layers, joined by commas', () => {
      expect(() =>
        parseParameters(featureMapParameters, { layers: ['conv1', ''].join(',') }),
      ).toThrow(
        expect.objectContaining({
          code: 'INVALID_PARAMETER',
          message: expect.stringContaining('"layers"'),
        }),
      );
    });
  });

  it("should word an empty kernels layer in the project's terms, not zod's", () => {
    expect(() => parseParameters(kernelParameters, { layer: '' })).toThrow(
      expect.objectContaining({
        code: 'INVALID_PARAMETER',
        message:
          'parameter "layer" must be the name of a Conv node, its output or its weight; received ""',
      }),
    );
  });

  it('should quote the head of an oversized value and its length, not the whole of it', () => {
    const layer = 'x'.repeat(200_000);

    expect(() => parseParameters(explainParametersSchema, { layer })).toThrow(
      expect.objectContaining({
        code: 'INVALID_PARAMETER',
        message: `parameter "layer" must be an ONNX value or node name of at most 200 characters; received "${'x'.repeat(100)}"… (200000 characters)`,
      }),
    );
  });

  it('should still refuse a parameter the schema does not take', () => {
    expect(() => parseParameters(schema, { beta: ['1', '1'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMETER' }),
    );
  });

  describe('fixed words', () => {
    it('should take enums and booleans in any case and give back the schema spelling', () => {
      expect(parseParameters(schema, { colormap: 'GRAY', async: 'TRUE' })).toEqual({
        alpha: 0.5,
        colormap: 'gray',
        async: true,
      });
      expect(parseParameters(schema, { async: 'No' }).async).toBe(false);
    });

    it.each([
      ['method', 'GradCAM', 'gradcam'],
      ['method', 'GradCAM%2B%2B', 'gradcam++'],
      ['method', 'Integrated-Gradients', 'integrated-gradients'],
      ['output', 'Tensor', 'tensor'],
      ['format', 'NPY', 'npy'],
      ['colormap', 'Viridis', 'viridis'],
      ['resolution', 'LAYER', 'layer'],
      ['score', 'Probability', 'probability'],
      ['baseline', 'Zeros', 'zeros'],
    ])('should read the explanation parameter %s=%s as %s', (name, given, expected) => {
      const parsed = parseParameters(explainParametersSchema, {
        [name]: decodeURIComponent(given),
      }) as Record<string, unknown>;

      expect(parsed[name]).toBe(expected);
    });

    it.each(['aug_smooth', 'eigen_smooth', 'async'])(
      'should read %s=TRUE and =Yes as true',
      (name) => {
        const upper = parseParameters(explainParametersSchema, { [name]: 'TRUE' });
        const mixed = parseParameters(explainParametersSchema, { [name]: 'Yes' });

        expect((upper as Record<string, unknown>)[name]).toBe(true);
        expect((mixed as Record<string, unknown>)[name]).toBe(true);
      },
    );

    it('should take the fixed words of the views in any case', () => {
      expect(
        parseParameters(featureMapParameters, { order: 'Mean', format: 'JSON', colormap: 'Gray' }),
      ).toMatchObject({ order: 'mean', format: 'json', colormap: 'gray' });
      expect(parseParameters(histogramParameters, { batch_norm: 'FOLDED' })).toMatchObject({
        batch_norm: 'folded',
      });
    });

    it('should fold the same word in two cases as one value', () => {
      expect(parseParameters(schema, { colormap: ['Gray', 'gray'] }).colormap).toBe('gray');
    });

    it('should still refuse an unknown word, listing the valid ones', () => {
      expect(() => parseParameters(explainParametersSchema, { method: 'GradCam2' })).toThrow(
        expect.objectContaining({
          code: 'INVALID_PARAMETER',
          message: expect.stringMatching(
            /^parameter "method" must be one of cam, gradcam, gradcam\+\+, .*; received "GradCam2"$/,
          ) as string,
        }),
      );
      expect(() => parseParameters(explainParametersSchema, { async: 'maybe' })).toThrow(
        expect.objectContaining({
          message: 'parameter "async" must be one of true, false, 1, 0, yes, no; received "maybe"',
        }),
      );
    });

    it('should leave the case of free text alone', () => {
      const parsed = parseParameters(explainParametersSchema, { layer: 'Conv1', target: 'Dog' });

      expect(parsed.layer).toBe('Conv1');
      expect(parsed.target).toBe('Dog');
    });
  });

  describe('target, a list parameter', () => {
    it('should keep one value as text and repeated values as a list, repeats included', () => {
      expect(parseParameters(explainParametersSchema, { target: 'T-shirt, top' }).target).toBe(
        'T-shirt, top',
      );
      expect(
        parseParameters(explainParametersSchema, { target: ['T-shirt, top', '7'] }, { target: '7' })
          .target,
      ).toEqual(['T-shirt, top', '7', '7']);
    });

    it('should name the parameter, not the list item, when one value is too long', () => {
      expect(() =>
        parseParameters(explainParametersSchema, { target: ['7', 'x'.repeat(301)] }),
      ).toThrow(
        expect.objectContaining({
          code: 'INVALID_PARAMETER',
          message: expect.stringMatching(
            /^parameter "target" must be a class index, .*, of at most 300 characters; received \["7","x{100}"… \(301 characters\)\]$/,
          ) as string,
        }),
      );
    });

    it('should refuse more than 32 values', () => {
      expect(() =>
        parseParameters(explainParametersSchema, {
          target: Array.from({ length: 33 }, (_, i) => String(i)),
        }),
      ).toThrow(
        expect.objectContaining({
          message: expect.stringContaining('given at most 32 times; received ["0","1",') as string,
        }),
      );
    });
  });
});
