import { loadConfig } from '../../../src/config/app-config';
import { ConfigurationError } from '../../../src/errors/configuration.error';

describe('queue settings in loadConfig', () => {
  it('should default to BullMQ prefix bull, 3 attempts and a 30 s lock checked every 10 s', () => {
    const config = loadConfig({});

    expect(config.queue).toEqual({
      prefix: 'bull',
      attempts: 3,
      backoffMs: 1000,
      inputTtlSeconds: 3600,
      lockDurationMs: 30_000,
      stalledIntervalMs: 10_000,
      maxStalledCount: 2,
      commandTimeoutMs: 2000,
      shutdownTimeoutMs: 130_000,
      workerName: undefined,
    });
  });

  it('should read the queue variables', () => {
    const config = loadConfig({
      QUEUE_PREFIX: 'test:run-1',
      JOB_ATTEMPTS: '5',
      JOB_LOCK_DURATION_MS: '2000',
      WORKER_NAME: 'gpu-0',
    });

    expect(config.queue).toMatchObject({
      prefix: 'test:run-1',
      attempts: 5,
      lockDurationMs: 2000,
      workerName: 'gpu-0',
    });
  });

  it.each(['api', 'worker'])('should refuse ROLE=%s without REDIS_URL', (role) => {
    expect(() => loadConfig({ ROLE: role })).toThrow(ConfigurationError);
    expect(() => loadConfig({ ROLE: role })).toThrow(
      `REDIS_URL="" is invalid: expected a redis:// URL: ROLE=${role} runs jobs through Redis`,
    );
  });

  it('should refuse a queue prefix with spaces', () => {
    expect(() => loadConfig({ QUEUE_PREFIX: 'my queue' })).toThrow(
      'QUEUE_PREFIX="my queue" is invalid: expected letters, digits and _ . : -',
    );
  });
});
