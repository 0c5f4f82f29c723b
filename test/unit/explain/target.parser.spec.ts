import { namesOneClass, parseTargets } from '../../../src/explain/target.parser';

const labels = ['cat', 'Dog', 'bird'];

describe('parseTargets', () => {
  it('reads top1, topk:N, indices, labels (case-insensitive) and lists', () => {
    expect(parseTargets('top1', 3, labels)).toEqual([{ kind: 'rank', rank: 1 }]);
    expect(parseTargets('topk:2', 3, labels)).toEqual([
      { kind: 'rank', rank: 1 },
      { kind: 'rank', rank: 2 },
    ]);
    expect(parseTargets('2, dog ,cat', 3, labels)).toEqual([
      { kind: 'class', index: 2 },
      { kind: 'class', index: 1 },
      { kind: 'class', index: 0 },
    ]);
  });

  it('keeps a class named twice, in the order given', () => {
    expect(parseTargets('top1, 1, dog', 3, labels)).toEqual([
      { kind: 'rank', rank: 1 },
      { kind: 'class', index: 1 },
      { kind: 'class', index: 1 },
    ]);
  });

  it.each([
    ['top1', true],
    ['TOP1', true],
    [' 2 ', true],
    ['Dog', true],
    ['topk:1', false],
    ['top1,2', false],
    ['2,2', false],
    ['topk:3', false],
  ])('namesOneClass(%j) is %s, from the text alone', (target, expected) => {
    expect(namesOneClass(target)).toBe(expected);
  });

  it('refuses an index out of range with CLASS_NOT_FOUND naming the range', () => {
    expect(() => parseTargets('3', 3, labels)).toThrow(
      expect.objectContaining({
        code: 'CLASS_NOT_FOUND',
        message:
          'Parameter target: expected a class index from 0 to 2, a label, top1 or topk:N, got "3"',
      }),
    );
    expect(() => parseTargets('-1', 3, labels)).toThrow(
      expect.objectContaining({ code: 'CLASS_NOT_FOUND' }),
    );
  });

  it('refuses an unknown label with LABEL_NOT_FOUND listing the labels', () => {
    expect(() => parseTargets('fish', 3, labels)).toThrow(
      expect.objectContaining({
        code: 'LABEL_NOT_FOUND',
        message: `Parameter target: expected a class index, top1, topk:N or one of the model's labels (cat, Dog, bird), got "fish"`,
      }),
    );
  });

  it.each(['topk:0', 'topk:4', 'topk:x', ' , '])('refuses %j with INVALID_PARAMETER', (target) => {
    expect(() => parseTargets(target, 3, labels)).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMETER' }),
    );
  });

  it.each([',', '2,,1', '2,', ',2', '2, ,1'])(
    'refuses %j, a list with an empty item, as it refuses ","',
    (target) => {
      expect(() => parseTargets(target, 3, labels)).toThrow(
        expect.objectContaining({
          code: 'INVALID_PARAMETER',
          message: `parameter "target" must be a class index, a label, top1, topk:N or a comma-separated list of those, without empty items; received ${JSON.stringify(target)}`,
        }),
      );
    },
  );
});
