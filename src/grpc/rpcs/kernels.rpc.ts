import type { AppServices } from '../../app.module';
import { parseParameters } from '../../http/parameter.parser';
import { kernelJobOptions, kernelParameters } from '../../visualize/view-parameters.schema';
import { jobCallLimits, runJobForCall } from '../job-call';
import type { RpcCall, UnaryRpc } from '../rpc-call';
import { requestModel } from '../rpc-inputs';
import { asQuery } from './request-query';
import { restFormat, viewResponse, type KernelsRequest } from './view-messages';

/** Kernels: the same 'kernels' job as GET /v1/models/{name}/kernels; format=tensor gives the weights as stored, cut by out_limit and in_limit. */
export class KernelsRpc implements UnaryRpc<KernelsRequest> {
  constructor(private readonly services: AppServices) {}

  async handle(request: KernelsRequest, call: RpcCall) {
    const { config, models, jobs, logger } = this.services;
    const model = requestModel(models, request.model, config.defaultModel);
    const format = restFormat(request.format, 'npy');
    const p = parseParameters(kernelParameters, asQuery({ ...request, format }, ['model']));
    // gRPC asks for .npy only as its format=tensor, and refusals name what it asked
    const options = kernelJobOptions(p, format === 'npy' ? 'tensor' : p.format);

    const { jobId, answer } = await runJobForCall(
      jobs,
      call,
      { kind: 'kernels', model, images: [], options },
      jobCallLimits(config),
      logger,
    );
    return viewResponse(answer, jobId);
  }
}
