import { findCamHead } from '../../../src/onnx/cam-head';
import { GraphView } from '../../../src/onnx/graph.view';
import type { ModelProto } from '../../../src/onnx/onnx.types';
import { makeTensor } from '../../../src/onnx/tensor.data';
import { buildTestModel, type TestNode } from '../../support/onnx-test-model.builder';

/** conv -> relu (features) -> pooling nodes -> head nodes; W = [[1, 2], [3, 4], [5, 6]] as [classes, K]. */
function net(
  pooling: TestNode[],
  head: TestNode[],
  weights?: { dims: number[]; data: number[] },
  output = 'logits',
): ModelProto {
  return buildTestModel({
    inputs: [{ name: 'x', shape: [1, 1, 4, 4] }],
    initializers: [
      { name: 'k', dims: [2, 1, 1, 1], data: [1, -1] },
      ...(weights === undefined ? [] : [{ name: 'W', dims: weights.dims, data: weights.data }]),
      { name: 'b', dims: [3], data: [0.5, -1, 2] },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'k'], outputs: ['c'] },
      { op: 'Relu', inputs: ['c'], outputs: ['features'] },
      ...pooling,
      ...head,
    ],
    outputs: [output],
  });
}

const gap: TestNode[] = [
  { op: 'GlobalAveragePool', inputs: ['features'], outputs: ['p'] },
  { op: 'Flatten', inputs: ['p'], outputs: ['f'] },
];
const gemmTo = (output: string): TestNode[] => [
  {
    op: 'Gemm',
    inputs: ['f', 'W', 'b'],
    outputs: [output],
    attributes: { transB: { kind: 'int', value: 1 } },
  },
];
const gemm = gemmTo('logits');
const rowMajor = { dims: [3, 2], data: [1, 2, 3, 4, 5, 6] };
const reduceMean = (axes: number[]): TestNode[] => [
  {
    op: 'ReduceMean',
    inputs: ['features'],
    outputs: ['f'],
    attributes: { axes: { kind: 'ints', value: axes }, keepdims: { kind: 'int', value: 0 } },
  },
];

describe('findCamHead', () => {
  it('reads W and the bias from GlobalAveragePool, Flatten, Gemm(transB=1)', () => {
    const head = findCamHead(net(gap, gemm, rowMajor), 'features');

    expect(head).toEqual({
      classes: 3,
      channels: 2,
      weights: Float32Array.of(1, 2, 3, 4, 5, 6),
      bias: Float32Array.of(0.5, -1, 2),
      scoreValue: 'logits',
    });
  });

  it('transposes a MatMul weight [K, classes] followed by a bias Add', () => {
    const matmul: TestNode[] = [
      { op: 'MatMul', inputs: ['f', 'W'], outputs: ['m'] },
      { op: 'Add', inputs: ['m', 'b'], outputs: ['logits'] },
    ];

    const head = findCamHead(
      net(gap, matmul, { dims: [2, 3], data: [1, 3, 5, 2, 4, 6] }),
      'features',
    );

    expect(head?.weights).toEqual(Float32Array.of(1, 2, 3, 4, 5, 6));
    expect(head?.scoreValue).toBe('logits');
  });

  it('accepts ReduceMean over H and W, with positive or negative axes, as global average pooling', () => {
    expect(findCamHead(net(reduceMean([2, 3]), gemm, rowMajor), 'features')).toBeDefined();
    expect(findCamHead(net(reduceMean([-1, -2]), gemm, rowMajor), 'features')).toBeDefined();
    expect(findCamHead(net(reduceMean([1, 2]), gemm, rowMajor), 'features')).toBeUndefined();
  });

  it('reads weights held by a Constant node, as some exporters write them', () => {
    const constant: TestNode = {
      op: 'Constant',
      inputs: [],
      outputs: ['W'],
      attributes: {
        value: {
          kind: 'tensor',
          value: makeTensor('W', [3, 2], Float32Array.of(1, 2, 3, 4, 5, 6)),
        },
      },
    };

    const head = findCamHead(net(gap, [constant, ...gemm]), 'features');

    expect(head?.weights).toEqual(Float32Array.of(1, 2, 3, 4, 5, 6));
  });

  it('sees the head through Identity nodes, and follows its output to the score', () => {
    const pooling: TestNode[] = [
      ...gap.slice(0, 1),
      { op: 'Identity', inputs: ['p'], outputs: ['q'] },
      {
        op: 'Flatten',
        inputs: ['q'],
        outputs: ['f'],
      },
    ];
    const head: TestNode[] = [
      ...gemmTo('g'),
      { op: 'Identity', inputs: ['g'], outputs: ['logits'] },
    ];
    const view = new GraphView(net(pooling, head, rowMajor));

    expect(findCamHead(view, 'features', 'logits')?.scoreValue).toBe('g');
  });

  it('is undefined, given a score, when a non-linearity separates the head from it', () => {
    const model = net(
      gap,
      [...gemmTo('g'), { op: 'Relu', inputs: ['g'], outputs: ['logits'] }],
      rowMajor,
    );

    expect(findCamHead(model, 'features')?.scoreValue).toBe('g');
    expect(findCamHead(model, 'features', 'logits')).toBeUndefined();
  });

  it('is undefined for global max pooling or a non-linearity between pooling and the linear layer', () => {
    const maxPool: TestNode[] = [
      { op: 'GlobalMaxPool', inputs: ['features'], outputs: ['p'] },
      { op: 'Flatten', inputs: ['p'], outputs: ['f'] },
    ];
    const relu: TestNode[] = [
      { op: 'GlobalAveragePool', inputs: ['features'], outputs: ['p'] },
      { op: 'Relu', inputs: ['p'], outputs: ['q'] },
      { op: 'Flatten', inputs: ['q'], outputs: ['f'] },
    ];

    expect(findCamHead(net(maxPool, gemm, rowMajor), 'features')).toBeUndefined();
    expect(findCamHead(net(relu, gemm, rowMajor), 'features')).toBeUndefined();
  });
});
