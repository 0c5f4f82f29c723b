import { quoted, shortened } from '../../../src/errors/caller-value';
import { ClassNotFoundError } from '../../../src/errors/class-not-found.error';
import { InvalidParameterError } from '../../../src/errors/invalid-parameter.error';
import { LabelNotFoundError } from '../../../src/errors/label-not-found.error';
import { LayerNotFoundError } from '../../../src/errors/layer-not-found.error';
import { ModelNotFoundError } from '../../../src/errors/model-not-found.error';
import { OptionNotApplicableError } from '../../../src/errors/option-not-applicable.error';
import { UnknownParameterError } from '../../../src/errors/unknown-parameter.error';

const HUGE = 'x'.repeat(200_000);
const HEAD = 'x'.repeat(100);
const CAPPED = `"${HEAD}"… (200000 characters)`;

describe('quoted', () => {
  it.each([
    ['conv1', '"conv1"'],
    ['A,,B', '"A,,B"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['', '""'],
    [0.3, '0.3'],
    [['conv1', 'conv2'], '["conv1","conv2"]'],
    [undefined, 'nothing'],
  ])('should quote %j as JSON: %s', (value, shown) => {
    expect(quoted(value)).toBe(shown);
  });

  it('should quote a text of 100 characters whole', () => {
    expect(quoted(HEAD)).toBe(`"${HEAD}"`);
  });

  it('should quote the first 100 characters of a longer text, then its length', () => {
    expect(quoted(`${HEAD}y`)).toBe(`"${HEAD}"… (101 characters)`);
    expect(quoted(HUGE)).toBe(CAPPED);
  });

  it('should cut each text of a list', () => {
    expect(quoted(['7', HUGE])).toBe(`["7",${CAPPED}]`);
  });

  it('should not cut a character written as two UTF-16 units in half', () => {
    const text = `${'x'.repeat(99)}😀${'x'.repeat(10)}`;

    expect(quoted(text)).toBe(`"${'x'.repeat(99)}"… (111 characters)`);
  });
});

describe('shortened', () => {
  it('should keep a short text and cut a long one', () => {
    expect(shortened('conv1')).toBe('conv1');
    expect(shortened(HUGE)).toBe(`${HEAD}… (200000 characters)`);
  });
});

describe("errors that quote a caller's value", () => {
  it.each([
    ['InvalidParameterError', new InvalidParameterError('layer', 'a name', HUGE)],
    [
      'OptionNotApplicableError',
      new OptionNotApplicableError('layer', { name: 'method', value: 'saliency' }, HUGE, ['cam']),
    ],
    ['LayerNotFoundError', new LayerNotFoundError(HUGE, ['conv1', 'relu1'])],
    ['ModelNotFoundError', new ModelNotFoundError(HUGE, ['fashion-mnist'])],
    ['LabelNotFoundError', new LabelNotFoundError(HUGE, ['Sneaker', 'Bag'])],
    ['ClassNotFoundError', new ClassNotFoundError(HUGE, 10)],
    ['UnknownParameterError', new UnknownParameterError([HUGE], ['layer'])],
  ])('%s should quote its head and length, and stay short', (_name, error) => {
    expect(error.message).toContain(CAPPED);
    expect(error.message.length).toBeLessThan(400);
    expect(JSON.stringify(error.details() ?? {}).length).toBeLessThan(400);
  });

  it('LayerNotFoundError should keep every valid layer: they come from the model', () => {
    const validLayers = Array.from({ length: 300 }, (_, i) => `/model/block${i}/Conv`);
    const error = new LayerNotFoundError('nope', validLayers, 'layers');

    expect(error.message).toBe(
      `parameter "layers": expected a value or node name of the model, got "nope"; valid layers: ${validLayers.join(', ')}`,
    );
    expect(error.details()).toEqual({ parameter: 'layers', layer: 'nope', validLayers });
  });

  it('LabelNotFoundError should cut the list it names an item of, and keep the labels', () => {
    const labels = ['tench, Tinca tinca', 'goldfish, Carassius auratus'];
    const error = new LabelNotFoundError('nope', labels, [], {
      list: { value: `nope,${HUGE}`, position: 1 },
    });

    expect(error.message).toBe(
      `parameter "target": expected a class index, top1, topk:N or one of the model's labels ("tench, Tinca tinca", "goldfish, Carassius auratus"), got "nope" (item 1 of "nope,${'x'.repeat(95)}"… (200005 characters), read as a comma-separated list)`,
    );
  });

  it('ModelNotFoundError should quote a short name as before', () => {
    expect(new ModelNotFoundError('nope', ['fashion-mnist']).message).toBe(
      'model "nope" is not in the model repository; available: fashion-mnist',
    );
  });
});
