/** The request messages of proto/cnnlens/v1/cnn_lens.proto as proto-loader hands them over (keepCase, no defaults). */

export interface ExplainRequest {
  readonly images?: Buffer[];
  readonly model?: string;
  readonly method?: string;
  readonly layer?: string;
  readonly target?: string;
  readonly output?: string;
  readonly colormap?: string;
  readonly alpha?: number;
  readonly resolution?: string;
  readonly score?: string;
  readonly aug_smooth?: boolean;
  readonly eigen_smooth?: boolean;
  readonly samples?: number;
  readonly sigma?: number;
  readonly seed?: number;
  readonly steps?: number;
  readonly baseline?: string;
  readonly batch_size?: number;
  readonly normalize?: boolean;
}

export interface PredictRequest {
  readonly images?: Buffer[];
  readonly model?: string;
  readonly top_k?: number;
}

export interface GetModelRequest {
  readonly name?: string;
}

export interface TensorMessage {
  readonly data: Buffer;
  readonly shape: number[];
  readonly dtype: string;
}

export interface ExplanationInfo {
  readonly model: string;
  readonly layer: string;
  readonly class_index: number;
  readonly label: string;
  readonly score: number;
  readonly method: string;
  readonly timings_ms: Record<string, number>;
  readonly attributes: Record<string, string>;
}

export interface Explanation {
  readonly png?: Buffer;
  readonly tensor?: TensorMessage;
  readonly json?: string;
  readonly info: ExplanationInfo;
  readonly job_id: string;
  readonly image: number;
}
