/** Jest runs TypeScript through SWC, which keeps the decorator metadata NestJS needs. */
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

module.exports = {
  // onnxruntime-node checks typed arrays with instanceof; this environment shares the host's constructors.
  testEnvironment: '<rootDir>/test/support/onnxruntime.environment.ts',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', swc] },
  testTimeout: 60000,
  // The e2e suites start HTTP, gRPC and Redis clients; a failing test may leave one open past
  // its afterAll. The run then ends with its failures reported instead of hanging CI (jest runs
  // in band on a 2-core machine, so a leak in any suite would hold the run's own process).
  forceExit: true,
};
