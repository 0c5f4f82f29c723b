import { ConfigurationError } from '../errors/configuration.error';
import type { ModelRepository } from './model-repository';

/**
 * DEFAULT_MODEL must name a folder of the repository: otherwise /readyz would
 * answer 503 forever for a typo. A default model that is there but fails to
 * load is not a configuration error; it stays MODEL_UNAVAILABLE with its reason.
 * @throws ConfigurationError naming DEFAULT_MODEL and listing the models
 */
export function checkDefaultModel(models: ModelRepository, defaultModel: string): void {
  const names = models.names();
  if (names.includes(defaultModel)) {
    return;
  }

  const listed = names.length > 0 ? `: ${names.join(', ')}` : ', which holds none';
  throw new ConfigurationError([
    {
      variable: 'DEFAULT_MODEL',
      received: defaultModel,
      expected: `one of the models of MODEL_REPOSITORY (${models.root})${listed}`,
    },
  ]);
}
