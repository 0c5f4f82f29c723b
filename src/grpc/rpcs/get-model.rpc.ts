import type { AppServices } from '../../app.module';
import type { GetModelRequest } from '../cnn-lens.messages';
import type { UnaryRpc } from '../rpc-call';
import { modelDetails } from './model-messages';

/** GetModel: GET /v1/models/{name}; MODEL_NOT_FOUND / NOT_FOUND for an unknown name. */
export class GetModelRpc implements UnaryRpc<GetModelRequest> {
  constructor(private readonly services: AppServices) {}

  handle(request: GetModelRequest) {
    const { descriptor } = this.services.models.get(request.name ?? '');
    return Promise.resolve(modelDetails(descriptor));
  }
}
