import { InvalidParameterError } from '../../errors/invalid-parameter.error';
import type { JobAnswer } from '../../jobs/job.types';
import { decodeNpy } from '../npy.decoder';

/** Requests of the after-training views (proto/cnnlens/v1/cnn_lens.proto), as proto-loader hands them over. */
export interface FeatureMapsRequest {
  readonly image?: Buffer;
  readonly model?: string;
  readonly layers?: string[];
  readonly order?: string;
  readonly limit?: number;
  readonly colormap?: string;
  readonly format?: string;
  readonly columns?: number;
  readonly tile?: number;
}

export interface KernelsRequest {
  readonly model?: string;
  readonly layer?: string;
  readonly format?: string;
  readonly out_limit?: number;
  readonly in_limit?: number;
  readonly tile?: number;
}

export interface HistogramsRequest {
  readonly model?: string;
  readonly layers?: string[];
  readonly bins?: number;
  readonly batch_norm?: string;
  readonly format?: string;
}

export interface PredictionImageRequest {
  readonly image?: Buffer;
  readonly model?: string;
  readonly top_k?: number;
}

export interface NamedTensor {
  readonly layer: string;
  readonly tensor: { readonly data: Buffer; readonly shape: number[]; readonly dtype: string };
  /** Feature maps: the layer's channels the tensor holds, in its order. */
  readonly channels?: number[];
}

export interface ViewResponse {
  readonly png?: Buffer;
  readonly tensors: NamedTensor[];
  readonly attributes: Record<string, string>;
  readonly job_id: string;
}

/**
 * A view's gRPC `format` (png or tensor, in any case) as its REST format: a
 * tensor is asked for as `tensorAs`, the REST encoding the view's reply is
 * built from (.npy for one weight tensor, JSON for several layers). REST's own
 * npy and json are not gRPC formats and are refused, not taken as tensor.
 * @throws InvalidParameterError (INVALID_PARAMETER) for any other format
 */
export function restFormat(
  format: string | undefined,
  tensorAs: 'npy' | 'json',
): 'png' | 'npy' | 'json' | undefined {
  const word = format?.toLowerCase() ?? '';
  if (word === '') {
    return undefined;
  }
  if (word === 'png' || word === 'tensor') {
    return word === 'png' ? 'png' : tensorAs;
  }
  throw new InvalidParameterError('format', 'png or tensor', format);
}

/** A view's job answer as a ViewResponse: the PNG, or the tensors as raw float32 bytes. */
export function viewResponse(answer: JobAnswer, jobId = ''): ViewResponse {
  if (answer.type === 'binary') {
    const attributes = Object.fromEntries(
      Object.entries(answer.metadata).map(([k, v]) => [k, String(v)]),
    );
    if (answer.contentType === 'application/x-npy') {
      const tensor = decodeNpy(answer.data);
      return { tensors: [{ layer: attributes.layer ?? '', tensor }], attributes, job_id: jobId };
    }
    return { png: answer.data, tensors: [], attributes, job_id: jobId };
  }
  return {
    tensors: jsonTensors(answer.body),
    attributes: jsonAttributes(answer.body),
    job_id: jobId,
  };
}

interface JsonTensor {
  readonly layer: string;
  readonly shape: number[];
  readonly data: number[];
  /** Feature maps: the channels kept, and how many the layer has. */
  readonly channels?: number[];
  readonly channelCount?: number;
}

/** What the headers of a feature-map answer say, from its JSON: layers, channels kept of each, their order. */
function jsonAttributes(body: unknown): Record<string, string> {
  const document = body as { order?: string; layers?: JsonTensor[] };
  if (document.layers === undefined) {
    return {};
  }
  return {
    layers: document.layers.map((item) => item.layer).join(','),
    channels_shown: document.layers
      .map(
        (item) =>
          `${item.channels?.length ?? item.shape[1] ?? 0}/${item.channelCount ?? item.shape[1] ?? 0}`,
      )
      .join(','),
    ...(document.order === undefined ? {} : { order: document.order }),
  };
}

/** Feature-map JSON ({layers: [...]}) or kernel JSON (one tensor) as float32 tensors; float32 -> double -> float32 is exact. */
function jsonTensors(body: unknown): NamedTensor[] {
  const document = body as { layers?: JsonTensor[] } & Partial<JsonTensor>;
  const items: JsonTensor[] = document.layers ?? [
    { layer: document.layer ?? '', shape: document.shape ?? [], data: document.data ?? [] },
  ];
  return items.map((item) => {
    const values = Float32Array.from(item.data);
    return {
      layer: item.layer,
      tensor: { data: Buffer.from(values.buffer), shape: item.shape, dtype: 'float32' },
      ...(item.channels === undefined ? {} : { channels: item.channels }),
    };
  });
}
