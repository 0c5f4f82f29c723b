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
};
