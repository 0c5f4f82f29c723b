import { OptionNotApplicableError } from '../../../src/errors/option-not-applicable.error';
import {
  featureMapJobOptions,
  featureMapParameters,
  kernelJobOptions,
  kernelParameters,
} from '../../../src/visualize/view-parameters.schema';

const WHY = 'it only changes how the picture is drawn; a tensor answer holds the values themselves';

describe('featureMapJobOptions', () => {
  it('fills the picture defaults and leaves the limit open when none is given', () => {
    const options = featureMapJobOptions(featureMapParameters.parse({}));

    expect(options).toMatchObject({ limit: null, colormap: 'viridis', tile: 64, columns: null });
  });

  it('refuses a picture-only option with a tensor answer, naming it, the format and why', () => {
    const p = featureMapParameters.parse({ format: 'json', columns: '4' });

    expect(() => featureMapJobOptions(p)).toThrow(
      new OptionNotApplicableError('columns', { name: 'format', value: 'json' }, 4, ['png'], WHY),
    );
    expect(() => featureMapJobOptions(p)).toThrow(
      `parameter "columns" does not apply to format json: expected it only with format png (${WHY}); received 4`,
    );
  });

  it('names the format as the caller named it', () => {
    const p = featureMapParameters.parse({ format: 'json', colormap: 'jet' });

    expect(() => featureMapJobOptions(p, 'tensor')).toThrow('does not apply to format tensor');
  });

  it('takes the selecting options with a tensor answer', () => {
    const p = featureMapParameters.parse({ format: 'npy', order: 'mean', limit: '3' });

    expect(featureMapJobOptions(p)).toMatchObject({ order: 'mean', limit: 3, format: 'npy' });
  });
});

describe('kernelJobOptions', () => {
  it('refuses tile with a tensor answer and takes it with a picture', () => {
    expect(() => kernelJobOptions(kernelParameters.parse({ format: 'npy', tile: '12' }))).toThrow(
      'parameter "tile" does not apply to format npy',
    );
    expect(kernelJobOptions(kernelParameters.parse({ tile: '12' })).tile).toBe(12);
    expect(kernelJobOptions(kernelParameters.parse({ format: 'json' })).tile).toBe(24);
  });
});
