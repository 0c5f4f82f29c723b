import type { AppServices } from '../../app.module';
import { InvalidParameterError } from '../../errors/invalid-parameter.error';
import type { GetModelRequest } from '../cnn-lens.messages';
import type { UnaryRpc } from '../rpc-call';
import { modelDetails } from './model-messages';

/**
 * GetModel: GET /v1/models/{name}; MODEL_NOT_FOUND / NOT_FOUND for an unknown
 * name. The name has no default (proto3 sends an empty one as unset), so an
 * empty one is INVALID_PARAMETER rather than a model that is not found.
 */
export class GetModelRpc implements UnaryRpc<GetModelRequest> {
  constructor(private readonly services: AppServices) {}

  handle(request: GetModelRequest) {
    const { name } = request;
    if (name === undefined || name === '') {
      throw new InvalidParameterError(
        'name',
        'a model name (required; ListModels lists them)',
        name,
      );
    }

    const { descriptor } = this.services.models.get(name);
    return Promise.resolve(modelDetails(descriptor));
  }
}
