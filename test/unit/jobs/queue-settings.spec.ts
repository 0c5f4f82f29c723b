import { loadConfig, settingWarnings } from '../../../src/config/app-config';
import { ConfigurationError } from '../../../src/errors/configuration.error';

describe('queue settings in loadConfig', () => {
  it('should default to BullMQ prefix bull, 3 attempts and a 15 s lock checked every 5 s', () => {
    const config = loadConfig({});

    expect(config.queue).toEqual({
      prefix: 'bull',
      attempts: 3,
      backoffMs: 1000,
      inputTtlSeconds: 3600,
      lockDurationMs: 15_000,
      stalledIntervalMs: 5_000,
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

  it.each(['api', 'worker'])(
    'should refuse ROLE=%s without REDIS_URL, saying it is unset',
    (role) => {
      expect(() => loadConfig({ ROLE: role })).toThrow(ConfigurationError);
      expect(() => loadConfig({ ROLE: role })).toThrow(
        `REDIS_URL is unset: expected a redis:// URL: ROLE=${role} runs jobs through Redis`,
      );
      expect(() => loadConfig({ ROLE: role, REDIS_URL: '' })).toThrow('REDIS_URL is unset');
    },
  );

  it('should let a job of a dead worker be taken over well within REQUEST_TIMEOUT_MS by default', () => {
    const config = loadConfig({});
    const takeoverMs = config.queue.lockDurationMs + config.queue.stalledIntervalMs;

    // the job still needs time to run again once taken over: a third of the wait is left for it
    expect(takeoverMs).toBeLessThanOrEqual((config.requestTimeoutMs * 2) / 3);
    // BullMQ renews the lock at half its duration: the outage wait of a run is at least that
    expect(config.queue.lockDurationMs / 2).toBeGreaterThan(config.queue.commandTimeoutMs);
    expect(settingWarnings(loadConfig({ REDIS_URL: 'redis://r:6379' }))).toEqual([]);
  });

  it("should warn when the takeover of a dead worker's job does not fit in REQUEST_TIMEOUT_MS", () => {
    const config = loadConfig({
      REDIS_URL: 'redis://r:6379',
      JOB_LOCK_DURATION_MS: '30000',
      JOB_STALLED_INTERVAL_MS: '10000',
    });

    expect(settingWarnings(config)).toEqual([
      'JOB_LOCK_DURATION_MS + JOB_STALLED_INTERVAL_MS (30000 + 10000 ms) is not under REQUEST_TIMEOUT_MS (30000 ms): a synchronous request whose worker dies gets 504 JOB_TIMEOUT even when another worker finishes its job',
    ]);
    expect(settingWarnings({ ...config, redisUrl: undefined })).toEqual([]);
  });

  it('should refuse a queue prefix with spaces', () => {
    expect(() => loadConfig({ QUEUE_PREFIX: 'my queue' })).toThrow(
      'QUEUE_PREFIX="my queue" is invalid: expected letters, digits and _ . : -',
    );
  });
});
