import { z } from 'zod';

import { parseParameters } from '../../../src/http/parameter.parser';
import { booleanParameter } from '../../../src/http/parameter.schemas';
import { featureMapParameters } from '../../../src/visualize/view-parameters.schema';

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

  it('should keep every value of a list parameter, repeats included', () => {
    const parsed = parseParameters(featureMapParameters, { layer: ['conv1', 'conv1'] });

    expect(parsed.layer).toEqual(['conv1', 'conv1']);
  });

  it('should still refuse a parameter the schema does not take', () => {
    expect(() => parseParameters(schema, { beta: ['1', '1'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMETER' }),
    );
  });
});
