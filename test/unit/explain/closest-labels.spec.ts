import { closestLabels } from '../../../src/explain/closest-labels';

const fashion = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

describe('closestLabels', () => {
  it.each([
    ['sneakers', ['Sneaker']],
    ['SNEAKR', ['Sneaker']],
    ['ankleboot', ['Ankle boot']],
    ['shrit', ['Shirt']],
    ['Hat', []],
    ['x', []],
    ['', []],
  ])('suggests for %j %j', (name, expected) => {
    expect(closestLabels(name, fashion)).toEqual(expected);
  });

  it('compares each comma-separated synonym of an ImageNet-style label', () => {
    const imagenet = ['tench, Tinca tinca', 'goldfish, Carassius auratus', 'great white shark'];

    expect(closestLabels('goldfish', imagenet)).toEqual(['goldfish, Carassius auratus']);
    expect(closestLabels('Tinca tinca', imagenet)).toEqual(['tench, Tinca tinca']);
  });

  it('suggests at most three labels, the nearest first', () => {
    expect(closestLabels('cat', ['bat', 'cart', 'cat!', 'cot', 'dog', 'cats'])).toEqual([
      'bat',
      'cart',
      'cat!',
    ]);
  });
});
