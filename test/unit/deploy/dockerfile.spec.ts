import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { validate } from 'dockerfile-utils';

import { existsInRepo, REPO_ROOT } from './deploy-files';

const DOCKERFILE = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
const DOCKERIGNORE = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8');

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped, grouped by FROM. */
function stages(text: string): Stage[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  const result: Stage[] = [];

  for (const line of logical) {
    const [keyword, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');

    if (keyword.toUpperCase() === 'FROM') {
      const [, base, name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      result.push({ name: name ?? '', base: base ?? '', instructions: [] });
    } else if (result.length > 0) {
      result[result.length - 1].instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }

  return result;
}

function stage(name: string): Stage {
  const found = stages(DOCKERFILE).find((s) => s.name === name);

  if (found === undefined) {
    throw new Error(`expected a build stage named ${name}, found none`);
  }

  return found;
}

function argsOf(s: Stage, keyword: string): string[] {
  return s.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** The exec-form array of the runtime stage's HEALTHCHECK CMD. */
function healthcheckCommand(s: Stage): string[] {
  const [healthcheck] = argsOf(s, 'HEALTHCHECK');
  const json = healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim();

  return JSON.parse(json) as string[];
}

describe('Dockerfile', () => {
  it('passes dockerfile-utils lint with no diagnostic', () => {
    const diagnostics = validate(DOCKERFILE).map((d) => ({
      line: d.range.start.line + 1,
      message: d.message,
    }));

    expect(diagnostics).toEqual([]);
  });

  it('is linted for real: an unknown instruction and a second HEALTHCHECK are reported', () => {
    const broken = 'FROM node:20\nEXPSE 8080\nHEALTHCHECK CMD true\nHEALTHCHECK CMD false\n';

    expect(validate(broken).map((d) => d.message)).toEqual(
      expect.arrayContaining([
        'Unknown instruction: EXPSE',
        expect.stringContaining('There can only be one HEALTHCHECK instruction'),
      ]),
    );
  });

  it('builds the CPU image by default: its last stage is cpu on node:20-bookworm-slim', () => {
    const all = stages(DOCKERFILE);

    expect(all.map((s) => s.name)).toEqual([
      'deps',
      'build',
      'gpu-deps',
      'node-binary',
      'gpu',
      'cpu',
    ]);
    expect(DOCKERFILE).toContain('ARG NODE_IMAGE=node:20-bookworm-slim');
    expect(all[all.length - 1].base).toBe('${NODE_IMAGE}');
  });

  it('installs with npm ci, builds, and prunes the dev dependencies', () => {
    expect(argsOf(stage('deps'), 'RUN').join(' ')).toMatch(/npm ci\b/);
    expect(argsOf(stage('build'), 'RUN').join(' ')).toMatch(/npm run build .*npm prune --omit=dev/);
  });

  it('fetches the CUDA 12 provider of onnxruntime-node for the GPU image only', () => {
    expect(argsOf(stage('gpu-deps'), 'RUN').join(' ')).toContain(
      'ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js',
    );
    expect(argsOf(stage('gpu'), 'COPY').join(' ')).toContain('--from=gpu-deps /app/node_modules');
    expect(argsOf(stage('cpu'), 'COPY').join(' ')).toContain('--from=build /app/node_modules');
  });

  it('bases the GPU image on CUDA 12 with cuDNN and selects the CUDA provider', () => {
    expect(DOCKERFILE).toMatch(
      /ARG CUDA_IMAGE=nvidia\/cuda:12\.\d+\.\d+-cudnn-runtime-ubuntu22\.04/,
    );
    expect(stage('gpu').base).toBe('${CUDA_IMAGE}');
    expect(argsOf(stage('gpu'), 'ENV').join(' ')).toContain('ORT_EXECUTION_PROVIDERS=cuda,cpu');
    expect(argsOf(stage('cpu'), 'ENV').join(' ')).toContain('ORT_EXECUTION_PROVIDERS=cpu');
  });

  it.each(['cpu', 'gpu'])(
    'runs the %s image as a non-root user with ports, models and health',
    (name) => {
      const s = stage(name);

      expect(argsOf(s, 'USER')).toEqual(['node']);
      expect(argsOf(s, 'EXPOSE')).toEqual(['8080 50051']);
      expect(argsOf(s, 'COPY')).toContain('models/ ./models/');
      expect(argsOf(s, 'ENV').join(' ')).toContain('MODEL_REPOSITORY=/app/models');
      expect(argsOf(s, 'CMD')).toEqual(['["node", "dist/main.js"]']);
      expect(healthcheckCommand(s).slice(0, 2)).toEqual(['node', '-e']);
      // The command run against a live server below is the cpu stage's; the gpu stage must match it.
      expect(healthcheckCommand(s)).toEqual(healthcheckCommand(stage('cpu')));
    },
  );

  it('keeps only the linux binding of the platform being built, for the CPU and the GPU image', () => {
    const [prune, ...others] = argsOf(stage('build'), 'RUN').filter((args) =>
      args.includes('onnxruntime-node/bin'),
    );
    expect(others).toEqual([]);
    // Both runtime stages take node_modules from build, directly or through gpu-deps.
    expect(stage('gpu-deps').base).toBe('build');
    expect(argsOf(stage('cpu'), 'COPY')).toContain('--from=build /app/node_modules ./node_modules');
    expect(argsOf(stage('gpu'), 'COPY')).toContain(
      '--from=gpu-deps /app/node_modules ./node_modules',
    );

    // The RUN line itself, on a copy of onnxruntime-node's bin folder layout.
    const app = mkdtempSync(path.join(tmpdir(), 'cnn-lens-ort-bin-'));
    try {
      const bin = path.join(app, 'node_modules/onnxruntime-node/bin/napi-v6');
      for (const folder of [
        'darwin/arm64',
        'linux/arm64',
        'linux/x64',
        'win32/arm64',
        'win32/x64',
      ]) {
        mkdirSync(path.join(bin, folder), { recursive: true });
        writeFileSync(path.join(bin, folder, 'onnxruntime_binding.node'), folder);
      }
      writeFileSync(path.join(bin, 'linux/x64/libonnxruntime.so.1'), 'x64');
      writeFileSync(path.join(bin, 'linux/arm64/libonnxruntime.so.1'), 'arm64');

      execFileSync('sh', ['-c', prune], { cwd: app });

      const kept = readdirSync(bin, { recursive: true, encoding: 'utf8' }).sort();
      const arch = process.arch;
      expect(kept).toEqual([
        'linux',
        `linux/${arch}`,
        `linux/${arch}/libonnxruntime.so.1`,
        `linux/${arch}/onnxruntime_binding.node`,
      ]);
      expect(readFileSync(path.join(bin, `linux/${arch}/onnxruntime_binding.node`), 'utf8')).toBe(
        `linux/${arch}`,
      );
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });

  it('stops the build when the platform being built has no onnxruntime binding', () => {
    const [prune] = argsOf(stage('build'), 'RUN').filter((args) =>
      args.includes('onnxruntime-node/bin'),
    );
    const app = mkdtempSync(path.join(tmpdir(), 'cnn-lens-ort-bin-'));
    try {
      const bin = path.join(app, 'node_modules/onnxruntime-node/bin/napi-v6');
      mkdirSync(path.join(bin, 'darwin/arm64'), { recursive: true });

      expect(() => execFileSync('sh', ['-c', prune], { cwd: app, stdio: 'ignore' })).toThrow();
      expect(readdirSync(bin)).toEqual(['darwin']);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });

  it('copies only paths that exist in the repository and that .dockerignore lets through', () => {
    const ignored = DOCKERIGNORE.split('\n').map((line) => line.trim());
    const sources = stages(DOCKERFILE)
      .flatMap((s) => argsOf(s, 'COPY'))
      .filter((args) => !args.startsWith('--from'))
      .flatMap((args) => args.split(/\s+/).slice(0, -1));

    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect([source, existsInRepo(source)]).toEqual([source, true]);
      expect(ignored).not.toContain(source.replace(/\/$/, ''));
    }
  });
});

describe('the image HEALTHCHECK command', () => {
  const run = promisify(execFile);
  let server: Server;
  let status = 200;
  let port = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      response.statusCode = request.url === '/healthz' ? status : 404;
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  async function exitCode(): Promise<number> {
    const [command, ...args] = healthcheckCommand(stage('cpu'));
    try {
      await run(command, args, { env: { ...process.env, PORT: String(port) }, timeout: 10_000 });
      return 0;
    } catch (error) {
      return (error as { code: number }).code;
    }
  }

  it('exits 0 when GET /healthz on $PORT answers 200', async () => {
    status = 200;
    expect(await exitCode()).toBe(0);
  });

  it('exits 1 when /healthz answers 503', async () => {
    status = 503;
    expect(await exitCode()).toBe(1);
  });
});
