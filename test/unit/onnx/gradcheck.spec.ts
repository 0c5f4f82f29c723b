/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import { compareGradients, gradcheck, GRADCHECK_TOLERANCE } from '../../support/gradcheck';
import { buildTestModel, singleNodeModel } from '../../support/onnx-test-model.builder';

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

  // Sigmoid's gradients are at most 0.25: a tolerance read against max(1, ...)
  // instead of the largest gradient would let this 0.5% error through.
  it('fails gradients 0.5% off the true ones, even where every gradient is small', async () => {
    const sigmoid = singleNodeModel('Sigmoid', [{ name: 'X', shape: [2, 3, 4] }]);
    const exact = await gradcheck(sigmoid, { wrt: ['X'], score: 'probability' });
    const off = Float32Array.from(exact.analytic.X ?? [], (g) => g * 1.005);

    expect(exact.ok).toBe(true);
    expect(Math.max(...Array.from(exact.numeric.X ?? [], Math.abs))).toBeLessThan(0.25);
    expect(compareGradients({ X: off }, exact.numeric, ['X'], GRADCHECK_TOLERANCE)).toMatchObject({
      ok: false,
    });
  });

  it('fails gradients that differ from the true ones (the deconvnet ReLU rule)', async () => {
    const report = await gradcheck(model, { wrt: ['X', 'W'], reluRule: 'deconvnet' });

    expect(report.ok).toBe(false);
    expect(report.maxError).toBeGreaterThan(0.05);
  });
});
