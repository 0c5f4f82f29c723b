import { loadConfig } from '../../../src/config/app-config';
import { ConfigurationError } from '../../../src/errors/configuration.error';

function problemsOf(env: NodeJS.ProcessEnv): ConfigurationError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      return error;
    }
    throw error;
  }
  throw new Error('loadConfig accepted an invalid environment');
}

describe('loadConfig', () => {
  it('should apply the documented defaults to an empty environment', () => {
    const config = loadConfig({});

    expect(config.port).toBe(8080);
    expect(config.grpcPort).toBe(50051);
    expect(config.role).toBe('all');
    expect(config.redisUrl).toBeUndefined();
    expect(config.modelRepository).toBe('./models');
    expect(config.executionProviders).toEqual(['cpu']);
    expect(config.maxUploadBytes).toBe(20 * 1024 * 1024);
    expect(config.requestTimeoutMs).toBe(30000);
  });

  it('should read and convert every kind of value', () => {
    const config = loadConfig({
      PORT: '9090',
      ROLE: 'worker',
      REDIS_URL: 'redis://127.0.0.1:6379/2',
      ORT_EXECUTION_PROVIDERS: 'CUDA, cpu',
      ORT_CUDA_MEMORY_LIMIT_MB: '512',
      MAX_IMAGE_PIXELS: '1000',
    });

    expect(config.port).toBe(9090);
    expect(config.role).toBe('worker');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379/2');
    expect(config.executionProviders).toEqual(['cuda', 'cpu']);
    expect(config.cudaMemoryLimitBytes).toBe(512 * 1024 * 1024);
    expect(config.maxImagePixels).toBe(1000);
  });

  it('should treat an empty variable as unset', () => {
    expect(loadConfig({ REDIS_URL: '', PORT: '' }).port).toBe(8080);
  });

  it('should read integers written as decimal digits, around which blanks are dropped', () => {
    const config = loadConfig({ PORT: ' 9090 ', SHUTDOWN_TIMEOUT_MS: '007', GRPC_PORT: '0' });

    expect(config.port).toBe(9090);
    expect(config.queue.shutdownTimeoutMs).toBe(7);
    expect(config.grpcPort).toBe(0);
  });

  it.each([
    ['PORT', ' ', 'an integer from 0 to 65535'],
    ['PORT', '\t', 'an integer from 0 to 65535'],
    ['SHUTDOWN_TIMEOUT_MS', ' ', 'an integer from 0 to 3600000'],
    ['PORT', '0x50', 'an integer from 0 to 65535'],
    ['PORT', '1e3', 'an integer from 0 to 65535'],
    ['PORT', '+80', 'an integer from 0 to 65535'],
    ['PORT', '80.0', 'an integer from 0 to 65535'],
    ['PORT', '8 080', 'an integer from 0 to 65535'],
    ['MAX_BATCH_IMAGES', 'Infinity', 'an integer from 1 to 256'],
    ['HOST', ' ', 'a host name or IP address'],
    ['MODEL_REPOSITORY', '  ', 'a folder path'],
    ['DEFAULT_MODEL', ' ', 'a model name'],
    ['WORKER_NAME', ' ', 'a non-empty name'],
    ['ROLE', ' ', 'one of all, api, worker'],
    ['REDIS_URL', ' ', 'a redis:// or rediss:// URL'],
    ['ORT_EXECUTION_PROVIDERS', ' ', 'a comma-separated list of cuda and cpu'],
    ['QUEUE_PREFIX', ' ', 'letters, digits'],
    ['LOG_LEVEL', ' ', 'one of fatal, error'],
  ])(
    'should refuse %s=%j instead of reading it as a number or as unset',
    (variable, value, expected) => {
      const error = problemsOf({ [variable]: value });

      expect(error.problems).toEqual([{ variable, received: value, expected: expect.any(String) }]);
      expect(error.message).toContain(`${variable}="${value}" is invalid: expected ${expected}`);
    },
  );

  it.each([
    ['PORT', 'eighty', 'an integer from 0 to 65535'],
    ['PORT', '70000', 'an integer from 0 to 65535'],
    ['ROLE', 'scheduler', 'one of all, api, worker'],
    ['ORT_EXECUTION_PROVIDERS', 'cuda,tpu', 'a comma-separated list of cuda and cpu'],
    ['REDIS_URL', 'http://localhost', 'a redis:// or rediss:// URL'],
    ['MAX_UPLOAD_BYTES', '-5', 'an integer from 1024'],
    ['REQUEST_TIMEOUT_MS', '1.5', 'an integer from 100'],
    ['LOG_LEVEL', 'loud', 'one of fatal, error'],
    ['MAX_IMAGE_PIXELS', '0', 'an integer from 1 to 1000000000'],
    ['MAX_IMAGE_PIXELS', '2000000000', 'an integer from 1 to 1000000000'],
    ['MAX_IMAGE_PIXELS', 'many', 'an integer from 1 to 1000000000'],
    ['ORT_CUDA_DEVICE_ID', '-1', 'an integer from 0 to 64'],
    ['ORT_CUDA_DEVICE_ID', 'gpu0', 'an integer from 0 to 64'],
    ['ORT_CUDA_MEMORY_LIMIT_MB', '0', 'an integer from 1 to 1048576'],
    ['SHUTDOWN_TIMEOUT_MS', '-1', 'an integer from 0 to 3600000'],
  ])('should refuse %s=%s naming the variable and what it accepts', (variable, value, expected) => {
    const error = problemsOf({ [variable]: value });

    expect(error.code).toBe('INVALID_CONFIGURATION');
    expect(error.message).toContain(`${variable}="${value}" is invalid`);
    expect(error.message).toContain(expected);
  });

  it('should read ORT_CUDA_DEVICE_ID and default it to device 0', () => {
    expect(loadConfig({}).cudaDeviceId).toBe(0);
    expect(loadConfig({ ORT_CUDA_DEVICE_ID: '3' }).cudaDeviceId).toBe(3);
  });

  it('should read MAX_IMAGE_PIXELS and default it to 50 megapixels', () => {
    expect(loadConfig({}).maxImagePixels).toBe(50_000_000);
    expect(loadConfig({ MAX_IMAGE_PIXELS: '1' }).maxImagePixels).toBe(1);
  });

  it('should read MAX_REQUEST_PIXELS, default it to 100 megapixels and refuse it under MAX_IMAGE_PIXELS', () => {
    expect(loadConfig({}).maxRequestPixels).toBe(100_000_000);
    expect(
      loadConfig({ MAX_IMAGE_PIXELS: '1000', MAX_REQUEST_PIXELS: '1000' }).maxRequestPixels,
    ).toBe(1000);

    const error = problemsOf({ MAX_IMAGE_PIXELS: '1000', MAX_REQUEST_PIXELS: '999' });
    expect(error.message).toContain('MAX_REQUEST_PIXELS="999"');
    expect(error.message).toContain('at least MAX_IMAGE_PIXELS (1000)');
  });

  it('should refuse ROLE=worker without REDIS_URL, naming REDIS_URL as unset and why it is needed', () => {
    const error = problemsOf({ ROLE: 'worker' });

    expect(error.problems).toEqual([
      {
        variable: 'REDIS_URL',
        received: undefined,
        expected: 'a redis:// URL: ROLE=worker runs jobs through Redis',
      },
    ]);
    expect(error.message).toBe(
      'REDIS_URL is unset: expected a redis:// URL: ROLE=worker runs jobs through Redis',
    );
  });

  it('should default MAX_RESPONSE_BYTES to GRPC_MAX_MESSAGE_BYTES, 96 MiB', () => {
    const config = loadConfig({});

    expect(config.maxResponseBytes).toBe(100_663_296);
    expect(config.maxResponseBytes).toBe(config.grpcMaxMessageBytes);
    // a float32 map of a 4096x4096 image, with its .npy header
    expect(4096 * 4096 * 4 + 128).toBeLessThan(config.maxResponseBytes);
  });

  it('should read HTTP_REQUEST_BODY_TIMEOUT_MS, 10 s by default', () => {
    expect(loadConfig({}).requestBodyTimeoutMs).toBe(10_000);
    expect(loadConfig({ HTTP_REQUEST_BODY_TIMEOUT_MS: '2500' }).requestBodyTimeoutMs).toBe(2500);
    expect(problemsOf({ HTTP_REQUEST_BODY_TIMEOUT_MS: '50' }).message).toBe(
      'HTTP_REQUEST_BODY_TIMEOUT_MS="50" is invalid: expected an integer from 100 to 3600000',
    );
  });

  it('should report every invalid variable at once', () => {
    const error = problemsOf({ PORT: 'x', ROLE: 'y' });

    expect(error.problems.map((p) => p.variable).sort()).toEqual(['PORT', 'ROLE']);
  });
});
