import { ViewLimitExceededError } from '../../../src/errors/view-limit-exceeded.error';
import { chooseLayers, spreadEvenly } from '../../../src/visualize/histogram-layers';
import {
  buildTestModel,
  type TestInitializer,
  type TestNode,
} from '../../support/onnx-test-model.builder';

/** A chain of `count` 1x1 convolutions c0 -> c1 -> ..., each with its weight w<i>. */
function convolutionChain(count: number) {
  const initializers: TestInitializer[] = [];
  const nodes: TestNode[] = [];
  for (let i = 0; i < count; i++) {
    initializers.push({ name: `w${i}`, dims: [1, 1, 1, 1], data: [i + 1] });
    nodes.push({
      op: 'Conv',
      name: `conv${i}`,
      inputs: [i === 0 ? 'x' : `y${i - 1}`, `w${i}`],
      outputs: [`y${i}`],
    });
  }
  return buildTestModel({
    inputs: [{ name: 'x', shape: [1, 1, 2, 2] }],
    initializers,
    nodes,
    outputs: [`y${count - 1}`],
  });
}

const names = (count: number) => Array.from({ length: count }, (_, i) => `conv${i}`);

describe('spreadEvenly', () => {
  it('takes round(i (total - 1) / (count - 1)): the first, the last and evenly between', () => {
    // 41 layers, 32 drawn: step 40/31 = 1.29
    const picked = spreadEvenly(41, 32);

    expect(picked).toHaveLength(32);
    expect(picked.slice(0, 6)).toEqual([0, 1, 3, 4, 5, 6]);
    expect(picked.at(-1)).toBe(40);
    expect(new Set(picked).size).toBe(32);
    expect(picked.every((p, i) => i === 0 || p > picked[i - 1])).toBe(true);
  });

  it('takes every position when there are no more than asked', () => {
    expect(spreadEvenly(5, 32)).toEqual([0, 1, 2, 3, 4]);
    expect(spreadEvenly(32, 32)).toEqual(names(32).map((_, i) => i));
  });
});

describe('chooseLayers', () => {
  const model = convolutionChain(40);
  const request = { layers: [] as string[], batchNorm: 'separate', format: 'png' } as const;

  it('draws 32 layers spread over the model when none is named, in graph order', () => {
    const choice = chooseLayers(model, request);

    expect(choice.named).toBe(false);
    expect(choice.available).toHaveLength(40);
    expect(choice.chosen.map((c) => c.index)).toEqual(spreadEvenly(40, 32));
    expect(choice.chosen.map((c) => c.layer.layer)).toEqual(
      spreadEvenly(40, 32).map((i) => `conv${i}`),
    );
  });

  it('lists every layer in JSON when none is named', () => {
    const choice = chooseLayers(model, { ...request, format: 'json' });

    expect(choice.chosen.map((c) => c.layer.layer)).toEqual(names(40));
  });

  it('keeps a layer named by node, output and weight once, where first named', () => {
    const choice = chooseLayers(model, {
      ...request,
      layers: ['y7', 'conv2', 'conv7', 'w7', 'w2'],
    });

    expect(choice.named).toBe(true);
    expect(choice.chosen.map((c) => c.index)).toEqual([7, 2]);
  });

  it('refuses more than 32 named layers for a chart, saying how to narrow the list', () => {
    expect(() => chooseLayers(model, { ...request, layers: names(33) })).toThrow(
      new ViewLimitExceededError(
        'layers',
        32,
        33,
        'layers per histogram chart (a row each)',
        'name at most 32 in each request, or ask for format=json, which takes any number',
      ),
    );
  });

  it('takes 32 named layers for a chart, and any number in JSON', () => {
    const named = names(32).map((_, i) => `w${i + 8}`);

    expect(chooseLayers(model, { ...request, layers: named }).chosen).toHaveLength(32);
    expect(
      chooseLayers(model, { ...request, format: 'json', layers: names(40) }).chosen,
    ).toHaveLength(40);
  });
});
