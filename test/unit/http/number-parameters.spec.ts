import { z } from 'zod';

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
    ['0', 0],
    ['0.250', 0.25],
    ['00.5', 0.5],
  ])('should read %j in decimal as %d', (text, value) => {
    expect(alpha.parse(text)).toBe(value);
  });

  it.each([
    '',
    ' ',
    '0x1',
    '0b1',
    '1e-1',
    'Infinity',
    'NaN',
    '0.5.1',
    '1,5',
    '½',
    '+0.5',
    '+1',
    ' 0.5',
    '0.5 ',
    '0.5\t',
    '\n0.5',
    '.5',
    '0.',
    '-0',
  ])('should refuse %j rather than read it as a number', (text) => {
    expect(alpha.safeParse(text).success).toBe(false);
  });

  it.each(['5.0', '0x5', '1e1', '2.5', '', '-', '+5', ' 5 ', '5\t', '-5', '٥'])(
    'should refuse %j as an integer',
    (text) => {
      expect(topK.safeParse(text).success).toBe(false);
    },
  );

  it('should take a leading minus only where the range has negatives', () => {
    const offset = integerParameter(-5, 5);
    const shift = numberParameter(-1, 1);

    expect(offset.parse('-3')).toBe(-3);
    expect(shift.parse('-0.5')).toBe(-0.5);
    expect(offset.safeParse('+3').success).toBe(false);
    expect(shift.safeParse('- 0.5').success).toBe(false);
    expect(shift.safeParse('--0.5').success).toBe(false);
  });

  it.each([
    [
      { alpha: '+0.5' },
      'alpha',
      'a number from 0 to 1',
      'with an optional fraction such as 0.25 (no sign, blanks or exponent)',
    ],
    [
      { alpha: ' 0.5' },
      'alpha',
      'a number from 0 to 1',
      'with an optional fraction such as 0.25 (no sign, blanks or exponent)',
    ],
    [
      { steps: ' 5 ' },
      'steps',
      'an integer from 1 to 512',
      'only (no sign, blanks, point or exponent)',
    ],
    [
      { seed: '5.0' },
      'seed',
      'an integer from 0 to 2147483647',
      'only (no sign, blanks, point or exponent)',
    ],
  ])('should say how a number is written when %j is not', (query, name, range, written) => {
    const given = Object.values(query)[0] ?? '';

    expect(() => parseParameters(explainParametersSchema, query)).toThrow(
      expect.objectContaining({
        code: 'INVALID_PARAMETER',
        message: `parameter "${name}" must be ${range}, written as decimal digits ${written}; received ${JSON.stringify(given)}`,
      }),
    );
  });

  it('should name only the range for a number written well but out of it', () => {
    expect(() => parseParameters(explainParametersSchema, { alpha: '1.5' })).toThrow(
      expect.objectContaining({
        message: 'parameter "alpha" must be a number from 0 to 1; received "1.5"',
      }),
    );
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

describe('numbers given as numbers (gRPC fields, queued options)', () => {
  it('takes any number in range, however JavaScript would print it', () => {
    const alpha = numberParameter(0, 1);

    expect(alpha.parse(1e-300)).toBe(1e-300);
    expect(alpha.parse(1e-7)).toBe(1e-7);
  });

  it('refuses one out of range naming the range alone, with no advice on how to write text', () => {
    const seed = integerParameter(0, 10);

    expect(() => parseParameters(z.object({ seed }), { seed: -1 })).toThrow(
      expect.objectContaining({
        message: 'parameter "seed" must be an integer from 0 to 10; received -1',
      }),
    );
  });
});
