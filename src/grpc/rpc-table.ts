import type { AppServices } from '../app.module';
import type { UnaryRpc } from './rpc-call';
import { ExplainRpc } from './rpcs/explain.rpc';
import { FeatureMapsRpc } from './rpcs/feature-maps.rpc';
import { GetModelRpc } from './rpcs/get-model.rpc';
import { HistogramsRpc } from './rpcs/histograms.rpc';
import { KernelsRpc } from './rpcs/kernels.rpc';
import { ListModelsRpc } from './rpcs/list-models.rpc';
import { PredictRpc } from './rpcs/predict.rpc';
import { PredictionImageRpc } from './rpcs/prediction-image.rpc';

/**
 * The implementation of each method of service CnnLens, by its name in the
 * .proto. A new RPC is a message pair in the .proto, a class in rpcs/ and a
 * line here; a method declared in the .proto without an entry answers UNIMPLEMENTED.
 */
export function createRpcTable(services: AppServices): Readonly<Record<string, UnaryRpc>> {
  return {
    Explain: new ExplainRpc(services),
    Predict: new PredictRpc(services),
    ListModels: new ListModelsRpc(services),
    GetModel: new GetModelRpc(services),
    FeatureMaps: new FeatureMapsRpc(services),
    Kernels: new KernelsRpc(services),
    Histograms: new HistogramsRpc(services),
    PredictionImage: new PredictionImageRpc(services),
  };
}
