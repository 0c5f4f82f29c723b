import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

import * as ort from 'onnxruntime-node';

const REPO_ROOT = path.resolve(__dirname, '../../..');

const cudaBundled = ort
  .listSupportedBackends()
  .some((backend) => backend.name === 'cuda' && backend.bundled);

/** Runs src/main.ts as `npm start` would (compiled on the fly) and returns how it ended. */
function startService(env: Record<string, string>): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', 'src/main.ts'], {
    cwd: REPO_ROOT,
    // Ports of this suite's own range, should a start get that far.
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '18762',
      GRPC_PORT: '18763',
      LOG_LEVEL: 'silent',
      ...env,
    },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stderr: result.stderr };
}

describe('the service process (src/main.ts)', () => {
  it('exits with code 2 and names the variable when a value is invalid', () => {
    const { status, stderr } = startService({ MAX_IMAGE_PIXELS: 'lots' });

    expect(status).toBe(2);
    expect(stderr).toContain(
      'cnn-lens: invalid configuration: MAX_IMAGE_PIXELS="lots" is invalid: expected an integer from 1 to 1000000000',
    );
  });

  it('exits with code 2 naming MODEL_REPOSITORY and the path when the folder does not exist', () => {
    const missing = path.join(REPO_ROOT, 'no-such-models-folder');

    const { status, stderr } = startService({ MODEL_REPOSITORY: missing });

    expect(status).toBe(2);
    expect(stderr).toContain(
      `MODEL_REPOSITORY="${missing}" is invalid: expected a readable folder of models`,
    );
  });

  (cudaBundled ? it.skip : it)(
    'exits with code 2 naming ORT_EXECUTION_PROVIDERS when only cuda is asked for on a machine without it',
    () => {
      const { status, stderr } = startService({ ORT_EXECUTION_PROVIDERS: 'cuda' });

      expect(status).toBe(2);
      expect(stderr).toContain('ORT_EXECUTION_PROVIDERS="cuda" is invalid');
      expect(stderr).toContain('"cuda,cpu" falls back to the CPU');
    },
  );
});
