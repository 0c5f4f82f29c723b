import {
  EXPLAIN_METHODS,
  explainParametersSchema,
} from '../../../src/explain/explain-parameters.schema';
import { checkOptionsApply } from '../../../src/explain/option-applicability';
import { parseParameters } from '../../../src/http/parameter.parser';

/** The parameters as a request gives them: only these fields, the schema's own defaults for the rest. */
const given = (fields: Record<string, string>) => explainParametersSchema.parse(fields);

describe('checkOptionsApply', () => {
  it.each([
    [{ method: 'gradcam', samples: '8' }, 'samples', 'method gradcam', 'smoothgrad', 8],
    [{ method: 'gradcam', sigma: '0.2' }, 'sigma', 'method gradcam', 'smoothgrad', 0.2],
    [{ method: 'gradcam', seed: '3' }, 'seed', 'method gradcam', 'smoothgrad', 3],
    [{ method: 'smoothgrad', steps: '8' }, 'steps', 'method smoothgrad', 'integrated-gradients', 8],
    [
      { method: 'gradcam', baseline: 'zeros' },
      'baseline',
      'method gradcam',
      'integrated-gradients',
      'zeros',
    ],
    [
      { method: 'gradcam', batch_size: '4' },
      'batch_size',
      'method gradcam',
      'scorecam, ablationcam',
      4,
    ],
    [{ output: 'tensor', alpha: '0.3' }, 'alpha', 'output tensor', 'output overlay', 0.3],
    [{ output: 'heatmap', alpha: '0.3' }, 'alpha', 'output heatmap', 'output overlay', 0.3],
    [
      { output: 'tensor', colormap: 'gray' },
      'colormap',
      'output tensor',
      'output overlay, output heatmap',
      'gray',
    ],
    [
      { output: 'overlay', resolution: 'layer' },
      'resolution',
      'output overlay',
      'output tensor',
      'layer',
    ],
    [
      { output: 'overlay', format: 'npy' },
      'format',
      'output overlay',
      'output tensor (format=json applies to every output)',
      'npy',
    ],
  ])(
    '%j is refused, naming %s, the %s it does not apply to, and where it does',
    (fields, parameter, subject, appliesTo, received) => {
      expect(() => checkOptionsApply(given(fields))).toThrow(
        expect.objectContaining({
          code: 'INVALID_PARAMETER',
          message: `parameter "${parameter}" does not apply to ${subject}: expected it only with ${appliesTo}; received ${JSON.stringify(received)}`,
        }),
      );
    },
  );

  it.each<Record<string, string>>([
    { method: 'smoothgrad', samples: '8', sigma: '0.2', seed: '3' },
    { method: 'integrated-gradients', steps: '8', baseline: 'zeros' },
    { method: 'scorecam', batch_size: '4' },
    { method: 'ablationcam', batch_size: '4' },
    { output: 'overlay', alpha: '0.3', colormap: 'gray', format: 'json' },
    { output: 'heatmap', colormap: 'gray' },
    { output: 'tensor', resolution: 'layer', format: 'npy' },
    { output: 'tensor', format: 'json' },
  ])('%j is accepted: each option applies', (fields) => {
    expect(() => checkOptionsApply(given(fields))).not.toThrow();
  });

  it.each([
    [
      { method: 'gradcam', output: 'overlay', normalize: 'false' },
      'parameter "normalize" does not apply to output overlay: expected it only with output tensor (a picture is drawn from the normalised map); received false',
    ],
    [
      { method: 'guided-gradcam', output: 'tensor', normalize: 'false' },
      'parameter "normalize" must be true (the default) with method guided-gradcam, whose map is the product of two normalised maps; received false',
    ],
    [
      { method: 'gradcam', output: 'tensor', normalize: 'false', aug_smooth: 'true' },
      'parameter "normalize" must be true (the default) with aug_smooth=true, which averages the min-max normalised maps of its variants; received false',
    ],
  ])('normalize=false with %j is refused: %s', (fields, message) => {
    expect(() => checkOptionsApply(given(fields))).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMETER', message }),
    );
  });

  it('accepts normalize=false with a tensor of every method but guided-gradcam, and normalize=true anywhere', () => {
    for (const method of EXPLAIN_METHODS.filter((m) => m !== 'guided-gradcam')) {
      expect(() =>
        checkOptionsApply(given({ method, output: 'tensor', normalize: 'false' })),
      ).not.toThrow();
    }
    expect(() =>
      checkOptionsApply(given({ method: 'guided-gradcam', output: 'overlay', normalize: 'true' })),
    ).not.toThrow();
  });

  it('never refuses a default: every method with every output, nothing else given', () => {
    for (const method of EXPLAIN_METHODS) {
      for (const output of ['overlay', 'heatmap', 'tensor']) {
        expect(() => checkOptionsApply(given({ method, output }))).not.toThrow();
      }
    }
  });
});

describe('explainParametersSchema: method', () => {
  it('says to write %2B when an unescaped "+" arrived as a space (method=gradcam++ in a URL)', () => {
    expect(() => parseParameters(explainParametersSchema, { method: 'gradcam  ' })).toThrow(
      expect.objectContaining({
        code: 'INVALID_PARAMETER',
        message: expect.stringMatching(
          /^parameter "method" must be one of cam, gradcam, gradcam\+\+, .* \(a "\+" in a URL is read as a space: write method=gradcam%2B%2B\); received "gradcam {2}"$/,
        ) as string,
      }),
    );
  });

  it('lists the methods alone for any other unknown method', () => {
    expect(() => parseParameters(explainParametersSchema, { method: 'gradcam ' })).toThrow(
      expect.objectContaining({
        message: expect.not.stringContaining('%2B') as string,
      }),
    );
  });
});
