import type { DecodedImage } from '../imaging/decoded-image';
import type { InputGeometry } from '../imaging/input-geometry';
import type { ExplainMethod } from './explain-parameters.schema';
import type { ScoreKind } from './explainable-model';
import type { SpatialMap } from './layer-tensors';
import type { InputPlanes } from './methods/saliency.method';

/** One class map of one image. */
export interface ExplainedMap {
  /** Position of the image in the request, from 0. */
  readonly image: number;
  readonly classIndex: number;
  readonly label: string;
  /** The differentiated score of the class: its logit, or its probability with score=probability. */
  readonly score: number;
  readonly probability: number;
  /** After ReLU and min-max, at the layer's resolution (the input's for input-gradient methods). */
  readonly map: SpatialMap;
  /** Guided backprop's signed gradient [C, H, W] at the input size, for the tensor output. */
  readonly planes: InputPlanes | undefined;
  readonly decoded: DecodedImage;
  readonly geometry: InputGeometry;
}

export interface ExplainTimings {
  readonly decodeMs: number;
  readonly preprocessMs: number;
  /** Model runs and the method's arithmetic. */
  readonly explainMs: number;
}

export interface Explanation {
  readonly model: string;
  /** The layer explained (a value name), or the input's name for input-gradient methods. */
  readonly layer: string;
  readonly method: ExplainMethod;
  readonly scoreKind: ScoreKind;
  /**
   * One image and a target naming one class (top1, an index, a label): the
   * answer may be a single binary map. Set from the request alone, never
   * from how many distinct classes the model's scores produced.
   */
  readonly singleMap: boolean;
  readonly maps: readonly ExplainedMap[];
  readonly timings: ExplainTimings;
}
