import type { ModelDescriptor } from './model-descriptor';

/** What /readyz and GET /v1/models say about a model's providers: in use, asked for, and why they differ. */
export function executionProviderReport(descriptor: ModelDescriptor) {
  return {
    executionProvider: descriptor.executionProvider,
    requestedExecutionProviders: descriptor.requestedExecutionProviders,
    ...(descriptor.executionProviderFallback === undefined
      ? {}
      : { executionProviderFallback: descriptor.executionProviderFallback }),
  };
}
