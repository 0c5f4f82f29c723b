/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { gradcheck } from '../../support/gradcheck';
import { buildTestModel } from '../../support/onnx-test-model.builder';

describe('gradcheck', () => {
  const model = buildTestModel({
    inputs: [
      { name: 'X', shape: [2, 6] },
      { name: 'W', shape: [6, 3] },
    ],
    nodes: [
      { op: 'MatMul', inputs: ['X', 'W'], outputs: ['H'] },
      { op: 'Relu', inputs: ['H'], outputs: ['Y'] },
    ],
    outputs: ['Y'],
  });

  it('passes exact gradients', async () => {
    const report = await gradcheck(model, { wrt: ['X', 'W'] });

    expect(report.ok).toBe(true);
    expect(Math.max(...Array.from(report.numeric.X ?? [], Math.abs))).toBeGreaterThan(0.1);
  });

  it('fails gradients that differ from the true ones (the deconvnet ReLU rule)', async () => {
    const report = await gradcheck(model, { wrt: ['X', 'W'], reluRule: 'deconvnet' });

    expect(report.ok).toBe(false);
    expect(report.maxError).toBeGreaterThan(0.05);
  });
});
