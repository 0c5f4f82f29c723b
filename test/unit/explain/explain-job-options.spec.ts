import { fromJobOptions, toJobOptions } from '../../../src/explain/explain-job-options';
import { explainParametersSchema } from '../../../src/explain/explain-parameters.schema';
import { checkOptionsApply } from '../../../src/explain/option-applicability';

describe('job options of an explanation', () => {
  it('carry the options the caller gave and no default, so that an inapplicable one is still refused', () => {
    const options = toJobOptions(
      explainParametersSchema.parse({ output: 'tensor', colormap: 'jet' }),
    );

    expect(options).not.toHaveProperty('steps');
    expect(options).not.toHaveProperty('alpha');
    expect(() => checkOptionsApply(fromJobOptions(options))).toThrow(
      expect.objectContaining({
        message: expect.stringContaining(
          'parameter "colormap" does not apply to output tensor',
        ) as string,
      }),
    );
  });

  it('read a job of an earlier API, which queued every default, without refusing the defaults', () => {
    // as toJobOptions wrote them before the applicability rules: every default filled in
    const legacy = {
      method: 'gradcam',
      target: 'top1',
      output: 'tensor',
      colormap: 'jet',
      alpha: 0.5,
      resolution: 'image',
      score: 'logit',
      aug_smooth: false,
      eigen_smooth: false,
      samples: 16,
      sigma: 0.15,
      seed: 0,
      steps: 32,
      baseline: 'black',
      batch_size: 32,
    };

    expect(() => checkOptionsApply(fromJobOptions(legacy))).not.toThrow();
    expect(() => checkOptionsApply(fromJobOptions({ ...legacy, alpha: 0.3 }))).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMETER' }),
    );
  });

  it('carry a repeated target as its list, and read it back as the same values', () => {
    const given = explainParametersSchema.parse({ target: ['T-shirt, top', 'label:7'] });
    const options = toJobOptions(given);

    expect(options.target).toEqual(['T-shirt, top', 'label:7']);
    expect(fromJobOptions(options).target).toEqual(['T-shirt, top', 'label:7']);
    expect(fromJobOptions(toJobOptions(explainParametersSchema.parse({}))).target).toBe('top1');
  });

  it('read back numbers JavaScript prints with an exponent (1e-7, 1e-300) as the same numbers', () => {
    const given = explainParametersSchema.parse({ method: 'smoothgrad', sigma: '0.0000001' });

    const options = toJobOptions({ ...given, output: 'overlay', alpha: 1e-300 });
    expect(String(options.sigma)).toBe('1e-7');
    expect(fromJobOptions(options)).toMatchObject({ sigma: 1e-7, alpha: 1e-300 });
  });
});
