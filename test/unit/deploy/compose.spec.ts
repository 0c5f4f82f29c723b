import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { DCLinter } from 'dclint';

import { loadConfig } from '../../../src/config/app-config';
import { DEPLOY_DIR, readYamlDocuments, REPO_ROOT } from './deploy-files';
import { composeSeconds, LONGEST_JOB_MS } from './drain-limits';

const COMPOSE_FILE = path.join(DEPLOY_DIR, 'compose.yaml');
const LINTER_CONFIG = path.join(DEPLOY_DIR, 'dclint.config.json');
const APP_SERVICES = ['api', 'worker', 'worker-gpu'];

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  profiles?: string[];
  stop_grace_period?: string;
  deploy?: {
    replicas?: number;
    resources?: { reservations?: { devices?: { capabilities: string[]; count?: number }[] } };
  };
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

function lint(file: string): { errors: number; warnings: number; messages: string[] } {
  const config = JSON.parse(readFileSync(LINTER_CONFIG, 'utf8')) as ConstructorParameters<
    typeof DCLinter
  >[0];
  const [result] = new DCLinter(config).lintFiles([file], false);

  return {
    errors: result.errorCount,
    warnings: result.warningCount,
    messages: result.messages.map((m) => `${m.rule}: ${m.message}`),
  };
}

describe('deploy/compose.yaml', () => {
  const compose = readYamlDocuments(COMPOSE_FILE)[0] as ComposeFile;

  it('passes dclint: the Compose Specification schema and its correctness rules', () => {
    expect(lint(COMPOSE_FILE)).toEqual({ errors: 0, warnings: 0, messages: [] });
  });

  it('runs Redis 7 with append-only persistence on a named volume', () => {
    const redis = compose.services.redis;

    expect(redis.image).toMatch(/^redis:7/);
    expect(redis.command?.join(' ')).toContain('--appendonly yes');
    expect(redis.command?.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(redis.volumes).toContain('redis-data:/data');
    expect(compose.volumes).toHaveProperty('redis-data');
    expect(redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('publishes REST and gRPC from the API only', () => {
    expect(compose.services.api.ports?.map((p) => p.split(':').slice(-2).join(':'))).toEqual([
      '8080:8080',
      '50051:50051',
    ]);
    expect(compose.services.worker.ports).toBeUndefined();
    expect(compose.services['worker-gpu'].ports).toBeUndefined();
  });

  it('starts two CPU workers and a GPU worker only under the gpu profile', () => {
    const gpu = compose.services['worker-gpu'];

    expect(compose.services.worker.deploy?.replicas).toBe(2);
    expect(compose.services.worker.profiles).toBeUndefined();
    expect(gpu.profiles).toEqual(['gpu']);
    expect(gpu.deploy?.resources?.reservations?.devices).toEqual([
      expect.objectContaining({ capabilities: ['gpu'], count: 1 }),
    ]);
    expect(gpu.build?.target).toBe('gpu');
  });

  it.each(APP_SERVICES)(
    'mounts the models read-only, health-checks and waits for Redis in %s',
    (name) => {
      const service = compose.services[name];

      expect(service.volumes).toContain('../models:/app/models:ro');
      expect(service.healthcheck?.test.join(' ')).toContain('/healthz');
      expect(service.depends_on?.redis).toEqual({ condition: 'service_healthy' });
      expect(service.build).toMatchObject({ context: '..', dockerfile: 'Dockerfile' });
    },
  );

  it('gives workers longer than a job to drain after SIGTERM (drain.spec.ts checks the margins)', () => {
    for (const name of ['worker', 'worker-gpu']) {
      expect(composeSeconds(compose.services[name].stop_grace_period)).toBeGreaterThan(
        LONGEST_JOB_MS,
      );
    }
  });

  it.each([
    ['api', 'api', ['cpu']],
    ['worker', 'worker', ['cpu']],
    ['worker-gpu', 'worker', ['cuda', 'cpu']],
  ])('configures %s so that the service itself accepts it', (name, role, providers) => {
    const config = loadConfig(compose.services[name].environment);

    expect(config.role).toBe(role);
    expect(config.executionProviders).toEqual(providers);
    expect(config.redisUrl).toBe('redis://redis:6379');
    expect(config.modelRepository).toBe('/app/models');
  });

  it('builds from the repository root, where the Dockerfile is', () => {
    const context = path.resolve(DEPLOY_DIR, compose.services.api.build!.context);

    expect(context).toBe(REPO_ROOT);
  });
});

describe('dclint on a broken compose file', () => {
  it('reports a misspelled service key as a schema error', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'cnn-lens-compose-'));
    const file = path.join(folder, 'compose.yaml');

    try {
      writeFileSync(
        file,
        'services:\n  api:\n    image: cnn-lens:cpu\n    stop_grace_perod: 10s\n',
      );

      const result = lint(file);

      expect(result.errors).toBe(1);
      expect(result.messages).toEqual([
        expect.stringMatching(/^invalid-schema: .*must NOT have additional properties/),
      ]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
