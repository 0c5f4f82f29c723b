/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { findCamHead } from '../../../src/explain/graph/cam-head.finder';
import { GraphView } from '../../../src/onnx/graph.view';
import type { ModelProto } from '../../../src/onnx/onnx.types';
import { probeValueFacts } from '../../../src/runtime/value-probe';
import { buildTestModel, type TestNode } from '../../support/onnx-test-model.builder';

/** conv -> relu (features) -> pooling nodes -> head nodes; W = [[1, 2], [3, 4], [5, 6]] as [classes, K]. */
function net(
  pooling: TestNode[],
  head: TestNode[],
  weights: { dims: number[]; data: number[] },
): ModelProto {
  return buildTestModel({
    inputs: [{ name: 'x', shape: [1, 1, 4, 4] }],
    initializers: [
      { name: 'k', dims: [2, 1, 1, 1], data: [1, -1] },
      { name: 'W', dims: weights.dims, data: weights.data },
      { name: 'b', dims: [3], data: [0, 0, 0] },
    ],
    nodes: [
      { op: 'Conv', inputs: ['x', 'k'], outputs: ['c'] },
      { op: 'Relu', inputs: ['c'], outputs: ['features'] },
      ...pooling,
      ...head,
    ],
    outputs: ['logits'],
  });
}

const gap: TestNode[] = [
  { op: 'GlobalAveragePool', inputs: ['features'], outputs: ['p'] },
  { op: 'Flatten', inputs: ['p'], outputs: ['f'] },
];
const gemm: TestNode[] = [
  {
    op: 'Gemm',
    inputs: ['f', 'W', 'b'],
    outputs: ['logits'],
    attributes: { transB: { kind: 'int', value: 1 } },
  },
];
const rowMajor = { dims: [3, 2], data: [1, 2, 3, 4, 5, 6] };

async function head(model: ModelProto) {
  const facts = await probeValueFacts(model, { x: [1, 1, 4, 4] });
  return findCamHead(new GraphView(model), facts, 'features', 'logits');
}

describe('findCamHead', () => {
  it('reads W from GlobalAveragePool, Flatten, Gemm(transB=1)', async () => {
    const found = await head(net(gap, gemm, rowMajor));

    expect(found).toEqual({ classes: 3, channels: 2, weights: Float32Array.of(1, 2, 3, 4, 5, 6) });
  });

  it('transposes a MatMul weight [K, classes] followed by a bias Add', async () => {
    const matmul: TestNode[] = [
      { op: 'MatMul', inputs: ['f', 'W'], outputs: ['m'] },
      { op: 'Add', inputs: ['m', 'b'], outputs: ['logits'] },
    ];

    const found = await head(net(gap, matmul, { dims: [2, 3], data: [1, 3, 5, 2, 4, 6] }));

    expect(found?.weights).toEqual(Float32Array.of(1, 2, 3, 4, 5, 6));
  });

  it('accepts ReduceMean over H and W as global average pooling', async () => {
    const reduce: TestNode[] = [
      {
        op: 'ReduceMean',
        inputs: ['features'],
        outputs: ['f'],
        attributes: { axes: { kind: 'ints', value: [2, 3] }, keepdims: { kind: 'int', value: 0 } },
      },
    ];

    expect(await head(net(reduce, gemm, rowMajor))).toBeDefined();
  });

  it('is undefined for global max pooling or a non-linearity between pooling and the linear layer', async () => {
    const maxPool: TestNode[] = [
      { op: 'GlobalMaxPool', inputs: ['features'], outputs: ['p'] },
      { op: 'Flatten', inputs: ['p'], outputs: ['f'] },
    ];
    const relu: TestNode[] = [
      { op: 'GlobalAveragePool', inputs: ['features'], outputs: ['p'] },
      { op: 'Relu', inputs: ['p'], outputs: ['q'] },
      { op: 'Flatten', inputs: ['q'], outputs: ['f'] },
    ];

    expect(await head(net(maxPool, gemm, rowMajor))).toBeUndefined();
    expect(await head(net(relu, gemm, rowMajor))).toBeUndefined();
  });
});
