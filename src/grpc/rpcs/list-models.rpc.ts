import type { AppServices } from '../../app.module';
import type { UnaryRpc } from '../rpc-call';
import { modelSummary } from './model-messages';

/** ListModels: GET /v1/models. */
export class ListModelsRpc implements UnaryRpc {
  constructor(private readonly services: AppServices) {}

  handle() {
    return Promise.resolve({
      default_model: this.services.config.defaultModel,
      models: this.services.models.list().map(modelSummary),
    });
  }
}
