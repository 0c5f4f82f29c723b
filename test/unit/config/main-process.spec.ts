import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
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
      PORT: '18262',
      GRPC_PORT: '15262',
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

  it('exits with code 2 naming DEFAULT_MODEL and listing the models when it is not in the repository', () => {
    const { status, stderr } = startService({ DEFAULT_MODEL: 'nope' });

    expect(status).toBe(2);
    expect(stderr).toContain(
      `cnn-lens: invalid configuration: DEFAULT_MODEL="nope" is invalid: expected one of the models of MODEL_REPOSITORY (${path.join(REPO_ROOT, 'models')}): `,
    );
    expect(stderr).toContain('fashion-mnist');
  });

  it('exits with code 2 naming PORT when it is blank, instead of listening on a random port', () => {
    const { status, stderr } = startService({ PORT: ' ' });

    expect(status).toBe(2);
    expect(stderr).toContain('PORT=" " is invalid: expected an integer from 0 to 65535');
  });

  describe('with a port another process listens on', () => {
    let holder: Server;

    beforeAll(async () => {
      holder = createServer();
      await new Promise<void>((resolve) => holder.listen(18410, '127.0.0.1', resolve));
    });

    afterAll(async () => {
      await new Promise((resolve) => holder.close(resolve));
    });

    it.each([
      ['PORT', { PORT: '18410', GRPC_PORT: '15408' }],
      ['GRPC_PORT', { PORT: '18411', GRPC_PORT: '18410' }],
    ])(
      'exits with code 2 and one line naming %s and the address, not a stack trace',
      (variable, ports) => {
        const { status, stderr } = startService({ HOST: '127.0.0.1', ...ports });

        expect(status).toBe(2);
        expect(stderr).toBe(
          `cnn-lens: invalid configuration: ${variable}="18410" is invalid: expected a free port: 127.0.0.1:18410 is already in use by another process\n`,
        );
      },
    );
  });

  it('says REDIS_URL is unset, not empty, for ROLE=api without it', () => {
    const { status, stderr } = startService({ ROLE: 'api' });

    expect(status).toBe(2);
    expect(stderr).toBe(
      'cnn-lens: invalid configuration: REDIS_URL is unset: expected a redis:// URL: ROLE=api runs jobs through Redis\n',
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
