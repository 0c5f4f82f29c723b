import { readFileSync } from 'node:fs';
import * as path from 'node:path';

import { CONFIG_VARIABLES, loadConfig } from '../../../src/config/app-config';

const REPO_ROOT = path.resolve(__dirname, '../../..');

/** The first column of every `| \`NAME\` | ...` row of the tables in a README section. */
function tableVariables(file: string, heading: RegExp): string[] {
  const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');
  const start = text.search(heading);
  if (start < 0) {
    throw new Error(`${file}: no section matching ${String(heading)}`);
  }
  const rest = text.slice(start);
  const next = rest.slice(1).search(/^## /m);
  const section = next < 0 ? rest : rest.slice(0, next + 1);

  return [...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` +\|/gm)].map((match) => match[1]);
}

const documented = [
  ...tableVariables('README.md', /^## Configuration$/m),
  ...tableVariables('README.md', /^## Running the API and N workers/m),
];

describe('the configuration tables of the READMEs', () => {
  it('list every setting of src/config/app-config.ts in README.md', () => {
    expect(CONFIG_VARIABLES.filter((name) => !documented.includes(name))).toEqual([]);
  });

  it('list no setting that src/config/app-config.ts does not read', () => {
    expect(documented.filter((name) => !CONFIG_VARIABLES.includes(name))).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('list in deploy/README.md only settings the service reads', () => {
    const deploy = tableVariables('deploy/README.md', /^## Settings$/m);

    expect(deploy.length).toBeGreaterThan(10);
    expect(deploy.filter((name) => !CONFIG_VARIABLES.includes(name))).toEqual([]);
  });

  it('gives README.md defaults that loadConfig applies to an empty environment', () => {
    const text = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const config = loadConfig({});
    const numbers: Record<string, number> = {
      PORT: config.port,
      GRPC_PORT: config.grpcPort,
      RENDER_THREADS: config.renderThreads,
      MAX_JSON_TENSOR_VALUES: config.maxJsonTensorValues,
      MAX_UPLOAD_BYTES: config.maxUploadBytes,
      MAX_IMAGE_PIXELS: config.maxImagePixels,
      MAX_REQUEST_PIXELS: config.maxRequestPixels,
      MAX_BATCH_IMAGES: config.maxBatchImages,
      REQUEST_TIMEOUT_MS: config.requestTimeoutMs,
      HTTP_REQUEST_BODY_TIMEOUT_MS: config.requestBodyTimeoutMs,
      JOB_RESULT_TTL_SECONDS: config.jobResultTtlSeconds,
      GRPC_MAX_MESSAGE_BYTES: config.grpcMaxMessageBytes,
      MAX_RESPONSE_BYTES: config.maxResponseBytes,
      JOB_ATTEMPTS: config.queue.attempts,
      JOB_LOCK_DURATION_MS: config.queue.lockDurationMs,
      JOB_STALLED_INTERVAL_MS: config.queue.stalledIntervalMs,
      JOB_MAX_STALLED_COUNT: config.queue.maxStalledCount,
      REDIS_COMMAND_TIMEOUT_MS: config.queue.commandTimeoutMs,
      SHUTDOWN_TIMEOUT_MS: config.queue.shutdownTimeoutMs,
    };

    for (const [name, value] of Object.entries(numbers)) {
      const row = new RegExp(`^\\| \`${name}\` +\\| \`${String(value)}\` `, 'm');
      expect([name, row.test(text)]).toEqual([name, true]);
    }
  });

  it.each(['deploy/k8s/configmap.yaml', 'deploy/compose.yaml'])(
    'sets in %s the MAX_RESPONSE_BYTES that loadConfig defaults to, by which Redis is sized',
    (file) => {
      const text = readFileSync(path.join(REPO_ROOT, file), 'utf8');

      expect(/^ {2}MAX_RESPONSE_BYTES: '(\d+)'$/m.exec(text)?.[1]).toBe(
        String(loadConfig({}).maxResponseBytes),
      );
    },
  );
});
