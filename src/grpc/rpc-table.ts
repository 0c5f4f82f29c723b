import type { AppServices } from '../app.module';
import type { UnaryRpc } from './rpc-call';
import { ExplainRpc } from './rpcs/explain.rpc';
import { GetModelRpc } from './rpcs/get-model.rpc';
import { ListModelsRpc } from './rpcs/list-models.rpc';
import { PredictRpc } from './rpcs/predict.rpc';

/**
 * The implementation of each method of service CnnLens, by its name in the
 * .proto. A new RPC is a message pair in the .proto, a class in rpcs/ and a
 * line here; a method declared in the .proto without an entry answers UNIMPLEMENTED.
 */
export function createRpcTable(services: AppServices): Readonly<Record<string, UnaryRpc>> {
  return {
    Explain: new ExplainRpc(services) as UnaryRpc,
    Predict: new PredictRpc(services) as UnaryRpc,
    ListModels: new ListModelsRpc(services),
    GetModel: new GetModelRpc(services) as UnaryRpc,
  };
}
