import { parseTargets } from '../../../src/explain/target.parser';

const labels = ['cat', 'Dog', 'bird'];

const specs = (target: string | string[], names: readonly string[] = labels) =>
  parseTargets(target, names.length, names).specs;

const classes = (...indices: number[]) => indices.map((index) => ({ kind: 'class', index }));

describe('parseTargets', () => {
  it('reads top1, topk:N, indices, labels (case-insensitive) and lists', () => {
    expect(specs('top1')).toEqual([{ kind: 'rank', rank: 1 }]);
    expect(specs('topk:2')).toEqual([
      { kind: 'rank', rank: 1 },
      { kind: 'rank', rank: 2 },
    ]);
    expect(specs('2, dog ,cat')).toEqual(classes(2, 1, 0));
    expect(specs('TOP1')).toEqual([{ kind: 'rank', rank: 1 }]);
    expect(specs('TopK:1')).toEqual([{ kind: 'rank', rank: 1 }]);
  });

  it('keeps a class named twice, in the order given', () => {
    expect(specs('top1, 1, dog')).toEqual([{ kind: 'rank', rank: 1 }, ...classes(1, 1)]);
  });

  it('reads each value of a repeated target on its own, in order', () => {
    expect(specs(['bird', 'top1', '0,1'])).toEqual([
      ...classes(2),
      { kind: 'rank', rank: 1 },
      ...classes(0, 1),
    ]);
  });

  it.each([
    ['top1', true],
    ['TOP1', true],
    [' 2 ', true],
    ['Dog', true],
    ['label:Dog', true],
    ['index:2', true],
    ['"Dog"', true],
    [['Dog'], true],
    ['topk:1', false],
    ['top1,2', false],
    ['2,2', false],
    ['topk:3', false],
    [['Dog', 'cat'], false],
    [['Dog', 'Dog'], false],
  ])('says whether %j names one class, from the request alone', (target, expected) => {
    expect(parseTargets(target, 3, labels).oneClass).toBe(expected);
  });

  it('refuses an index out of range with CLASS_NOT_FOUND naming the range', () => {
    expect(() => specs('3')).toThrow(
      expect.objectContaining({
        code: 'CLASS_NOT_FOUND',
        message:
          'parameter "target": expected a class index from 0 to 2, a label, top1 or topk:N, got "3"',
      }),
    );
    expect(() => specs('-1')).toThrow(expect.objectContaining({ code: 'CLASS_NOT_FOUND' }));
    expect(() => specs('index:3')).toThrow(expect.objectContaining({ code: 'CLASS_NOT_FOUND' }));
  });

  it('refuses an unknown label with LABEL_NOT_FOUND quoting every label', () => {
    expect(() => specs('fish')).toThrow(
      expect.objectContaining({
        code: 'LABEL_NOT_FOUND',
        message: `parameter "target": expected a class index, top1, topk:N or one of the model's labels ("cat", "Dog", "bird"), got "fish"`,
      }),
    );
  });

  it.each([
    ['top2', 'topk:2'],
    ['top-3', 'topk:3'],
    ['topk3', 'topk:3'],
    ['top_1', 'top1'],
  ])('suggests the rank form %s looks like (%s)', (target, form) => {
    expect(() => specs(target)).toThrow(
      expect.objectContaining({
        code: 'LABEL_NOT_FOUND',
        message: `parameter "target": expected a class index, top1, topk:N or one of the model's labels ("cat", "Dog", "bird"), got "${target}"; did you mean ${form}?`,
      }),
    );
  });

  it('says which item of a list was not a label', () => {
    expect(() => specs('Dog,fish,1')).toThrow(
      expect.objectContaining({
        code: 'LABEL_NOT_FOUND',
        message: `parameter "target": expected a class index, top1, topk:N or one of the model's labels ("cat", "Dog", "bird"), got "fish" (item 2 of "Dog,fish,1", read as a comma-separated list)`,
      }),
    );
    expect(() => specs('1,label:fish')).toThrow(
      expect.objectContaining({
        message: expect.stringContaining('got "fish" (item 2 of "1,label:fish"'),
      }),
    );
  });

  it('suggests the closest labels when the name is near some', () => {
    expect(() => specs('dgo')).toThrow(
      expect.objectContaining({
        code: 'LABEL_NOT_FOUND',
        message: expect.stringMatching(/, got "dgo"; did you mean "Dog"\?$/) as string,
      }),
    );
  });

  it.each(['topk:0', 'topk:4', 'topk:x', ' , ', 'index:x', 'index:', 'label:', '"cat" dog'])(
    'refuses %j with INVALID_PARAMETER',
    (target) => {
      expect(() => specs(target)).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETER' }));
    },
  );

  it('refuses more than 32 classes in all, over repeated values too', () => {
    expect(() => specs(Array.from({ length: 33 }, () => 'cat'))).toThrow(
      expect.objectContaining({
        code: 'INVALID_PARAMETER',
        message: expect.stringContaining('at most 32 classes per image') as string,
      }),
    );
  });

  it.each([',', '2,,1', '2,', ',2', '2, ,1'])(
    'refuses %j, a list with an empty item, as it refuses ","',
    (target) => {
      expect(() => specs(target)).toThrow(
        expect.objectContaining({
          code: 'INVALID_PARAMETER',
          message: `parameter "target" must be a class index, a label, top1, topk:N, index:N, label:NAME, a "quoted label" or a comma-separated list of those, without empty items; received ${JSON.stringify(target)}`,
        }),
      );
    },
  );
});

describe('parseTargets with labels that look like other forms', () => {
  // index 0 has a comma, 2 is written as a number, 3 as a keyword, 4 as an ImageNet label
  const tricky = ['T-shirt, top', 'Trouser', '7', 'top1', 'tench, Tinca tinca', 'a', 'b', 'c'];
  const of = (target: string | string[]) => specs(target, tricky);

  it('takes a whole value that is a label as that label, commas and all', () => {
    expect(of('T-shirt, top')).toEqual(classes(0));
    expect(of('t-shirt, TOP')).toEqual(classes(0));
    expect(of(' tench, Tinca tinca ')).toEqual(classes(4));
    expect(parseTargets('T-shirt, top', 8, tricky).oneClass).toBe(true);
  });

  it('splits a value on commas when it is not a label as a whole', () => {
    expect(of('Trouser, 7')).toEqual(classes(1, 7));
  });

  it('keeps plain digits an index and top1 the best class, label: naming the labels', () => {
    expect(of('7')).toEqual(classes(7));
    expect(of('top1')).toEqual([{ kind: 'rank', rank: 1 }]);
    expect(of('label:7')).toEqual(classes(2));
    expect(of('LABEL:top1')).toEqual(classes(3));
    expect(of('label:7,label:top1,index:7')).toEqual(classes(2, 3, 7));
    expect(of('label:T-shirt, top')).toEqual(classes(0));
  });

  it('reads a JSON-quoted item as a label, so a list can hold labels with commas', () => {
    expect(of('"T-shirt, top",7,"7", "top1" ,"tench, Tinca tinca"')).toEqual(
      classes(0, 7, 2, 3, 4),
    );
    expect(of('label:"T-shirt, top",Trouser')).toEqual(classes(0, 1));
    expect(of('"T-shirt, top"')).toEqual(classes(0));
  });

  it('takes each repeated value whole, as a label with commas', () => {
    expect(of(['T-shirt, top', '7', 'label:7'])).toEqual(classes(0, 7, 2));
  });

  it('says how to name a label written as an index that is out of range', () => {
    const numbered = ['a', 'b', '12'];

    expect(() => parseTargets('12', 3, numbered)).toThrow(
      expect.objectContaining({
        code: 'CLASS_NOT_FOUND',
        message:
          'parameter "target": expected a class index from 0 to 2, a label, top1 or topk:N, got "12"; for the label "12" write label:12',
      }),
    );
    expect(parseTargets('label:12', 3, numbered).specs).toEqual(classes(2));
  });

  it('quotes labels with commas unambiguously and suggests the label a synonym belongs to', () => {
    expect(() => of('tench, Tinca')).toThrow(
      expect.objectContaining({
        code: 'LABEL_NOT_FOUND',
        message: expect.stringContaining(
          '"T-shirt, top", "Trouser", "7", "top1", "tench, Tinca tinca"',
        ) as string,
      }),
    );
    expect(() => of('"tench"')).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          /got "tench"; did you mean "tench, Tinca tinca"\?$/,
        ) as string,
      }),
    );
  });
});
