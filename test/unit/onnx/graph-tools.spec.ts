/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import * as ort from 'onnxruntime-node';

import { ints, int, float } from '../../../src/onnx/autodiff/gradient-rule';
import { findCamHead } from '../../../src/onnx/cam-head';
import { exposeValues } from '../../../src/onnx/expose-values';
import { ablateChannels } from '../../../src/explain/graph/channel-ablation.transform';
import { GraphView } from '../../../src/onnx/graph.view';
import { encodeModel } from '../../../src/onnx/onnx.codec';
import type { ModelProto } from '../../../src/onnx/onnx.types';
import {
  defaultTargetLayer,
  listTargetableLayers,
  resolveLayer,
} from '../../../src/onnx/targetable-layers';
import { probeValueFacts } from '../../../src/runtime/value-probe';
import { buildTestModel, type TestNode } from '../../support/onnx-test-model.builder';
import { seededRandom, separatedValues } from '../../support/seeded-random';

const random = seededRandom(99);
const X = separatedValues(2 * 3 * 6 * 6, random);

/** conv(3->4) relu conv(4->5, stride 2) relu [pool] [head] */
function smallCnn(
  pool: TestNode[],
  head: TestNode[],
  output: string,
  extraInitializers: { name: string; dims: number[]; data: number[] }[] = [],
): ModelProto {
  return buildTestModel({
    opset: 13,
    inputs: [{ name: 'x', shape: [2, 3, 6, 6] }],
    initializers: [
      { name: 'w1', dims: [4, 3, 3, 3], data: Array.from(separatedValues(108, random)) },
      { name: 'w2', dims: [5, 4, 3, 3], data: Array.from(separatedValues(180, random)) },
      ...extraInitializers,
    ],
    nodes: [
      {
        op: 'Conv',
        inputs: ['x', 'w1'],
        outputs: ['c1'],
        attributes: { pads: ints([1, 1, 1, 1]) },
        name: 'conv1',
      },
      { op: 'Relu', inputs: ['c1'], outputs: ['r1'], name: 'relu1' },
      {
        op: 'Conv',
        inputs: ['r1', 'w2'],
        outputs: ['c2'],
        attributes: { pads: ints([1, 1, 1, 1]), strides: ints([2, 2]) },
        name: 'conv2',
      },
      { op: 'Relu', inputs: ['c2'], outputs: ['r2'], name: 'relu2' },
      ...pool,
      ...head,
    ],
    outputs: [output],
  });
}

const gapFlatten: TestNode[] = [
  { op: 'GlobalAveragePool', inputs: ['r2'], outputs: ['gap'] },
  { op: 'Flatten', inputs: ['gap'], outputs: ['flat'] },
];
const fcWeights = Array.from({ length: 15 }, (_, i) => (i % 4) - 1.5 + i / 10);
const gemmHead: TestNode[] = [
  {
    op: 'Gemm',
    inputs: ['flat', 'fc_w', 'fc_b'],
    outputs: ['logits'],
    attributes: { transB: int(1), alpha: float(2) },
  },
];
const fc = [
  { name: 'fc_w', dims: [3, 5], data: fcWeights },
  { name: 'fc_b', dims: [3], data: [0.5, -1, 2] },
];

async function run(
  model: ModelProto,
  feeds: Record<string, ort.Tensor>,
): Promise<ort.InferenceSession.OnnxValueMapType> {
  const session = await ort.InferenceSession.create(encodeModel(model));
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

describe('GraphView', () => {
  it('indexes producers and consumers and sorts nodes topologically', () => {
    const model = smallCnn(gapFlatten, gemmHead, 'logits', fc);
    const shuffled = {
      ...model,
      graph: { ...model.graph!, node: [...model.graph!.node].reverse() },
    };
    const view = new GraphView(shuffled);

    expect(view.nodes.map((n) => n.name)).toEqual(model.graph!.node.map((n) => n.name));
    expect(view.producer('r1')?.node.name).toBe('relu1');
    expect(view.consumers('r1').map((n) => n.name)).toEqual(['conv2']);
    expect(view.inputNames).toEqual(['x']);
  });
});

describe('exposeValues', () => {
  it('adds outputs while the original outputs stay bit-identical', async () => {
    const model = smallCnn(gapFlatten, gemmHead, 'logits', fc);
    const feeds = { x: new ort.Tensor('float32', X, [2, 3, 6, 6]) };

    const before = await run(model, feeds);
    const after = await run(exposeValues(model, ['r1', 'r2', 'logits']), feeds);

    expect(Object.keys(after)).toEqual(['logits', 'r1', 'r2']);
    expect(Buffer.from((after.logits.data as Float32Array).buffer)).toEqual(
      Buffer.from((before.logits.data as Float32Array).buffer),
    );
    expect(after.r2.dims).toEqual([2, 5, 3, 3]);
  });
});

describe('targetable layers', () => {
  it('lists rank-4 values with more than one spatial position, with node, operator and shape', async () => {
    const model = smallCnn(gapFlatten, gemmHead, 'logits', fc);
    const facts = await probeValueFacts(model, { x: [2, 3, 6, 6] });

    expect(listTargetableLayers(model, facts)).toEqual([
      { value: 'c1', node: 'conv1', opType: 'Conv', shape: [2, 4, 6, 6] },
      { value: 'r1', node: 'relu1', opType: 'Relu', shape: [2, 4, 6, 6] },
      { value: 'c2', node: 'conv2', opType: 'Conv', shape: [2, 5, 3, 3] },
      { value: 'r2', node: 'relu2', opType: 'Relu', shape: [2, 5, 3, 3] },
    ]);
  });

  it.each([
    ['GlobalAveragePool + Flatten', gapFlatten, 'flat'],
    [
      'ReduceMean over H, W',
      [
        {
          op: 'ReduceMean',
          inputs: ['r2'],
          outputs: ['m'],
          attributes: { axes: ints([2, 3]), keepdims: int(0) },
        },
      ],
      'm',
    ],
    [
      'Flatten of a 1x1 map after a big AveragePool and a 1x1 conv',
      [
        {
          op: 'AveragePool',
          inputs: ['r2'],
          outputs: ['p'],
          attributes: { kernel_shape: ints([3, 3]) },
        },
        { op: 'Relu', inputs: ['p'], outputs: ['pr'] },
        { op: 'Flatten', inputs: ['pr'], outputs: ['f'] },
      ],
      'f',
    ],
  ] as [string, TestNode[], string][])(
    'picks the last spatial value before global pooling: %s',
    async (_name, pool, output) => {
      const model = smallCnn(pool, [], output);
      const facts = await probeValueFacts(model, { x: [2, 3, 6, 6] });

      expect(defaultTargetLayer(model, facts)?.value).toBe('r2');
    },
  );

  it('resolves a node name to its output and a value name to itself', async () => {
    const model = smallCnn(gapFlatten, gemmHead, 'logits', fc);
    const facts = await probeValueFacts(model, { x: [2, 3, 6, 6] });

    expect(resolveLayer(model, facts, 'conv2')).toBe('c2');
    expect(resolveLayer(model, facts, 'r1')).toBe('r1');
  });

  it('rejects an unknown layer with LAYER_NOT_FOUND listing the valid layers', async () => {
    const model = smallCnn(gapFlatten, gemmHead, 'logits', fc);
    const facts = await probeValueFacts(model, { x: [2, 3, 6, 6] });

    expect(() => resolveLayer(model, facts, 'layer9')).toThrow(
      expect.objectContaining({
        code: 'LAYER_NOT_FOUND',
        message:
          'parameter "layer": expected a value or node name of the model, got "layer9"; valid layers: c1, r1, c2, r2',
      }),
    );
  });
});

describe('ablateChannels', () => {
  it('replaces channels per batch row by keep * value + fill, rewiring the consumers only', async () => {
    const model = smallCnn(gapFlatten, gemmHead, 'logits', fc);
    const facts = await probeValueFacts(model, { x: [2, 3, 6, 6] });
    const ablated = ablateChannels(model, 'r2', facts, 'batch');
    const x = new ort.Tensor('float32', X, [2, 3, 6, 6]);

    // Row 0 keeps every channel; row 1 replaces every channel by 1, so its pooled
    // features are all 1 and its logits are 2 * (sum of each class's weights) + bias.
    const keep = Float32Array.from({ length: 10 }, (_, i) => (i < 5 ? 1 : 0));
    const fill = Float32Array.from({ length: 10 }, (_, i) => (i < 5 ? 0 : 1));
    const out = await run(ablated.model, {
      x,
      [ablated.keepInput]: new ort.Tensor('float32', keep, [2, 5, 1, 1]),
      [ablated.fillInput]: new ort.Tensor('float32', fill, [2, 5, 1, 1]),
    });
    const plain = await run(model, { x });

    const logits = Array.from(out.logits.data as Float32Array);
    expect(logits.slice(0, 3)).toEqual(Array.from(plain.logits.data as Float32Array).slice(0, 3));
    const rows = [0, 1, 2].map((k) => fcWeights.slice(k * 5, k * 5 + 5));
    const expected = rows.map(
      (w, k) => 2 * w.reduce((a, b) => a + Math.fround(b), 0) + [0.5, -1, 2][k],
    );
    logits.slice(3).forEach((value, k) => expect(value).toBeCloseTo(expected[k], 4));
  });

  it('gives the new inputs the symbolic batch asked for and keeps the graph output unchanged', async () => {
    const model = smallCnn(gapFlatten, gemmHead, 'logits', fc);
    const facts = await probeValueFacts(model, { x: [2, 3, 6, 6] });

    const ablated = ablateChannels(model, 'r2', facts, 'batch');

    const dims = ablated.model.graph!.input.at(-1)?.type?.tensorType?.shape?.dim;
    expect(dims?.map((d) => d.dimParam ?? d.dimValue)).toEqual(['batch', 5, 1, 1]);
    expect(ablated.model.graph!.output.map((o) => o.name)).toEqual(['logits']);
  });
});

describe('findCamHead', () => {
  it('reads Gemm(transB, alpha) weights and bias after GlobalAveragePool + Flatten', () => {
    const head = findCamHead(smallCnn(gapFlatten, gemmHead, 'logits', fc), 'r2');

    expect(head?.classes).toBe(3);
    expect(head?.channels).toBe(5);
    expect(Array.from(head!.weights)).toEqual(
      fcWeights.map((w) => Math.fround(Math.fround(w) * 2)),
    );
    expect(Array.from(head!.bias!)).toEqual([0.5, -1, 2]);
    expect(head?.scoreValue).toBe('logits');
  });

  it('transposes MatMul weights [K, classes] and reads the bias Add', () => {
    const head = findCamHead(
      smallCnn(
        gapFlatten,
        [
          { op: 'MatMul', inputs: ['flat', 'm_w'], outputs: ['mm'] },
          { op: 'Add', inputs: ['mm', 'm_b'], outputs: ['logits'] },
        ],
        'logits',
        [
          { name: 'm_w', dims: [5, 2], data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] },
          { name: 'm_b', dims: [2], data: [0.25, 0.5] },
        ],
      ),
      'r2',
    );

    expect(Array.from(head!.weights)).toEqual([1, 3, 5, 7, 9, 2, 4, 6, 8, 10]);
    expect(Array.from(head!.bias!)).toEqual([0.25, 0.5]);
    expect(head?.scoreValue).toBe('logits');
  });

  it('is undefined when the layer is not followed by pooling and a linear head', () => {
    expect(findCamHead(smallCnn(gapFlatten, gemmHead, 'logits', fc), 'r1')).toBeUndefined();
  });
});
