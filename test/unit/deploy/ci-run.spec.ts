import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { REPO_ROOT } from './deploy-files';

/**
 * Runs .ci/run with `npm` and `redis-cli` replaced by scripts that record their
 * arguments: `npm test` and `npm run lint` fail when FAIL_TEST / FAIL_LINT is set.
 */
function runCi(fail: { test?: boolean; lint?: boolean }): {
  status: number | null;
  calls: string[];
} {
  const bin = mkdtempSync(path.join(tmpdir(), 'cnn-lens-ci-'));
  const log = path.join(bin, 'calls.log');
  try {
    writeFileSync(
      path.join(bin, 'npm'),
      [
        '#!/bin/sh',
        `echo "npm $*" >> "${log}"`,
        'if [ "$1" = test ] && [ -n "$FAIL_TEST" ]; then exit 1; fi',
        'if [ "$1 $2" = "run lint" ] && [ -n "$FAIL_LINT" ]; then exit 1; fi',
        'exit 0',
        '',
      ].join('\n'),
    );
    writeFileSync(path.join(bin, 'redis-cli'), '#!/bin/sh\necho PONG\n');
    chmodSync(path.join(bin, 'npm'), 0o755);
    chmodSync(path.join(bin, 'redis-cli'), 0o755);

    const result = spawnSync('bash', [path.join(REPO_ROOT, '.ci/run')], {
      env: {
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        ...(fail.test === true ? { FAIL_TEST: '1' } : {}),
        ...(fail.lint === true ? { FAIL_LINT: '1' } : {}),
      },
      encoding: 'utf8',
    });
    return { status: result.status, calls: readFileSync(log, 'utf8').trim().split('\n') };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

describe('.ci/run', () => {
  it("runs the README's test command before the lint, and passes when both pass", () => {
    const { status, calls } = runCi({});

    expect(calls).toEqual(['npm ci', 'npm test', 'npm run lint']);
    expect(status).toBe(0);
  });

  it('still runs the lint after failing tests, and fails', () => {
    const { status, calls } = runCi({ test: true });

    expect(calls).toEqual(['npm ci', 'npm test', 'npm run lint']);
    expect(status).not.toBe(0);
  });

  it('fails on a lint failure after passing tests', () => {
    const { status, calls } = runCi({ lint: true });

    expect(calls).toEqual(['npm ci', 'npm test', 'npm run lint']);
    expect(status).not.toBe(0);
  });
});
