import { explainParametersSchema } from '../../../src/explain/explain-parameters.schema';
import { parseParameters } from '../../../src/http/parameter.parser';
import { integerParameter, numberParameter } from '../../../src/http/parameter.schemas';
import { featureMapParameters } from '../../../src/visualize/view-parameters.schema';

describe('number parameters', () => {
  const alpha = numberParameter(0, 1);
  const topK = integerParameter(1, 1000);

  it.each([
    ['0.3', 0.3],
    ['1', 1],
    ['.5', 0.5],
    ['0.', 0],
    [' 0.25 ', 0.25],
    ['+1', 1],
  ])('should read %j in decimal as %d', (text, value) => {
    expect(alpha.parse(text)).toBe(value);
  });

  it.each(['', ' ', '0x1', '0b1', '1e-1', 'Infinity', 'NaN', '0.5.1', '1,5', '½'])(
    'should refuse %j rather than read it as a number',
    (text) => {
      expect(alpha.safeParse(text).success).toBe(false);
    },
  );

  it.each(['5.0', '0x5', '1e1', '2.5', '', '-'])('should refuse %j as an integer', (text) => {
    expect(topK.safeParse(text).success).toBe(false);
  });

  it('should take numbers given as numbers (gRPC) within the bounds only', () => {
    expect(topK.parse(7)).toBe(7);
    expect(topK.safeParse(0).success).toBe(false);
    expect(topK.safeParse(7.5).success).toBe(false);
    expect(alpha.safeParse(1.01).success).toBe(false);
  });

  it('should name the parameter and what it takes when an empty alpha is given', () => {
    expect(() => parseParameters(explainParametersSchema, { alpha: '' })).toThrow(
      expect.objectContaining({
        code: 'INVALID_PARAMETER',
        message: expect.stringContaining('"alpha" must be a number from 0 to 1') as string,
      }),
    );
  });

  it.each([
    [{ sigma: '' }, 'sigma'],
    [{ seed: '' }, 'seed'],
    [{ samples: '0x10' }, 'samples'],
    [{ steps: '1e1' }, 'steps'],
    [{ seed: '5.0' }, 'seed'],
  ])('should refuse explain option %j', (query, name) => {
    expect(() => parseParameters(explainParametersSchema, query)).toThrow(
      expect.objectContaining({
        code: 'INVALID_PARAMETER',
        message: expect.stringContaining(`"${name}"`) as string,
      }),
    );
  });

  it('should refuse a view limit in another notation', () => {
    expect(() => parseParameters(featureMapParameters, { limit: '0x10' })).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMETER' }),
    );
    expect(parseParameters(featureMapParameters, { limit: '16' }).limit).toBe(16);
  });
});
