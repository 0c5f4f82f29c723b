import type { NodeAttributeValue } from '../../../src/onnx/onnx.factory';
import { resolveConvolution } from '../../../src/visualize/kernel-layer.resolver';
import { keptKernels, kernelViewOf, type KernelRequest } from '../../../src/visualize/kernel.view';
import { buildTestModel, type TestNode } from '../../support/onnx-test-model.builder';

const request: KernelRequest = { model: 'm', format: 'png', tile: 24, channelOrder: 'RGB' };

const weights = (name: string, out: number, inputs: number) => ({
  name,
  dims: [out, inputs, 3, 3],
  data: Array.from({ length: out * inputs * 9 }, (_, i) => (i % 7) - 3),
});

const conv = (name: string, input: string, weight: string, output: string): TestNode => ({
  op: 'Conv',
  name,
  inputs: [input, weight],
  outputs: [output],
  attributes: { pads: { kind: 'ints', value: [1, 1, 1, 1] } },
});

/** A model whose image goes through `before` into conv `first` (3 -> 3), then conv `second` (3 -> 4). */
function twoConvolutions(
  before: readonly TestNode[] = [],
  input = { name: 'input', shape: [1, 3, 8, 8] },
) {
  const reaches = before.at(-1)?.outputs[0] ?? input.name;
  return buildTestModel({
    inputs: [input],
    initializers: [
      weights('w1', 3, 3),
      weights('w2', 4, 3),
      { name: 'mean', dims: [1, 3, 1, 1], data: [0.5, 0.5, 0.5] },
      { name: 'std', dims: [1, 3, 1, 1], data: [0.2, 0.2, 0.2] },
    ],
    nodes: [...before, conv('first', reaches, 'w1', 'a'), conv('second', 'a', 'w2', 'b')],
    outputs: ['b'],
  });
}

const transpose = (perm: number[]): TestNode => ({
  op: 'Transpose',
  inputs: ['input'],
  outputs: ['nchw'],
  attributes: { perm: { kind: 'ints', value: perm } as NodeAttributeValue },
});

describe('kernelViewOf', () => {
  it('draws colour tiles for the convolution that reads the 3-channel image', () => {
    const view = kernelViewOf(resolveConvolution(twoConvolutions(), 'first'), request);

    expect(view).toMatchObject({ colour: true, outShown: 3, inShown: 3 });
  });

  it('draws a deeper convolution with 3 input channels as diverging (output, input) tiles', () => {
    const view = kernelViewOf(resolveConvolution(twoConvolutions(), 'second'), request);

    expect(view).toMatchObject({ colour: false, outShown: 4, inShown: 3 });
  });

  it('sees the image through a Cast, an Identity and an in-graph normalisation', () => {
    const model = twoConvolutions([
      {
        op: 'Cast',
        inputs: ['input'],
        outputs: ['cast'],
        attributes: { to: { kind: 'int', value: 1 } },
      },
      { op: 'Identity', inputs: ['cast'], outputs: ['same'] },
      { op: 'Sub', inputs: ['same', 'mean'], outputs: ['centred'] },
      { op: 'Div', inputs: ['centred', 'std'], outputs: ['normalised'] },
    ]);

    expect(kernelViewOf(resolveConvolution(model, 'first'), request).colour).toBe(true);
    expect(kernelViewOf(resolveConvolution(model, 'second'), request).colour).toBe(false);
  });

  it('sees the image through the NHWC-to-NCHW transpose of a channels-last model', () => {
    const model = twoConvolutions([transpose([0, 3, 1, 2])], {
      name: 'input',
      shape: [1, 8, 8, 3],
    });

    expect(kernelViewOf(resolveConvolution(model, 'first'), request).colour).toBe(true);
  });

  it('does not take a transpose that moves other axes into the channels for the image', () => {
    const model = twoConvolutions([transpose([0, 2, 1, 3])], {
      name: 'input',
      shape: [1, 8, 3, 8],
    });

    expect(kernelViewOf(resolveConvolution(model, 'first'), request).colour).toBe(false);
  });

  it('does not take the sum of the image and another activation for the image', () => {
    const model = twoConvolutions([
      { op: 'Add', inputs: ['input', 'input'], outputs: ['doubled'] },
    ]);

    expect(kernelViewOf(resolveConvolution(model, 'first'), request).colour).toBe(false);
  });
});

describe('keptKernels', () => {
  // w[o, i, u, v] = 1000 o + 100 i + 10 u + v: every value says where it sits
  const dims = [4, 3, 2, 2] as const;
  const data = Float32Array.from({ length: 4 * 3 * 2 * 2 }, (_, n) => {
    const [o, i, u, v] = [Math.floor(n / 12), Math.floor(n / 4) % 3, Math.floor(n / 2) % 2, n % 2];
    return 1000 * o + 100 * i + 10 * u + v;
  });
  const weights = { layer: 'conv', data, dims };

  it('holds w[:out_limit, :in_limit] in C order', () => {
    const kept = keptKernels(weights, { outLimit: 2, inLimit: 2 });

    expect(kept.dims).toEqual([2, 2, 2, 2]);
    expect(Array.from(kept.data)).toEqual([
      0, 1, 10, 11, 100, 101, 110, 111, 1000, 1001, 1010, 1011, 1100, 1101, 1110, 1111,
    ]);
    expect(kept).toMatchObject({ outChannels: [0, 1], inChannels: [0, 1] });
  });

  it('keeps a whole axis whose limit is not given or is larger than it', () => {
    const kept = keptKernels(weights, { inLimit: 9 });

    expect(kept.dims).toEqual([4, 3, 2, 2]);
    expect(Array.from(kept.data)).toEqual(Array.from(data));
    expect(kept).toMatchObject({ outChannels: [0, 1, 2, 3], inChannels: [0, 1, 2] });
  });
});
