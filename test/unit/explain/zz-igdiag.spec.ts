/**
 * @jest-environment ./test/support/onnxruntime.environment.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { pathPoint } from '../../../src/explain/methods/integrated-gradients.method';
import { runGradient } from '../../../src/explain/model-runs';
import { readNpy } from '../../support/npy.reader';
import { REPO_ROOT, explainableModel, testSessions } from './explain-test-kit';

it('dumps', async () => {
  const dir = process.env.IGDIR ?? path.join(REPO_ROOT, 'test/fixtures/nets/densenet');
  const input = readNpy(path.join(dir, 'input.npy'));
  const dims = [1, 3, 32, 32];
  const model = await explainableModel(path.join(dir, 'model.onnx'), { name: 'input', dims }, { output: 'logits', outputKind: 'logits' });
  const sessions = testSessions();
  const spec = { layer: undefined, includeInput: true, reluRule: 'standard', score: 'logit' } as const;
  await sessions.withGradient(model, spec as never, async (s) => {
    for (let m = 1; m <= 16; m += 1) {
      const run = await runGradient(s, pathPoint(input.data, new Float32Array(input.data.length), m, 16), dims, 2);
      fs.writeFileSync(`${process.env.IGOUT ?? '/tmp/igdiag/ts'}${m}.f32`, Buffer.from((run.inputGradient ?? new Float32Array(0)).buffer));
    }
  });
  sessions.clear();
}, 60000);
