import { InvalidInputSpecError } from '../errors/invalid-input-spec.error';
import type { AlphaBackground } from './alpha-background';

/** How a model wants its input tensor: value = (pixel * scale - mean[c]) / std[c]. */
export interface InputSpec {
  readonly layout: 'NCHW' | 'NHWC';
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
  readonly channelOrder: 'RGB' | 'BGR';
  readonly scale: number;
  /** One value per tensor channel, in tensor channel order; a single value is used for all. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  readonly resize: 'stretch' | 'letterbox' | 'center-crop';
  /** What transparent pixels are flattened onto when an upload is decoded. */
  readonly background: AlphaBackground;
}

/** Per-channel constants with the single-value shorthand expanded. */
export interface Normalization {
  readonly scale: number;
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

function perChannel(field: 'mean' | 'std', values: readonly number[], channels: number): number[] {
  if (values.length !== 1 && values.length !== channels) {
    throw new InvalidInputSpecError(field, `1 or ${channels} numbers (one per channel)`, values);
  }
  if (!values.every(Number.isFinite) || (field === 'std' && values.includes(0))) {
    throw new InvalidInputSpecError(
      field,
      field === 'std' ? 'finite non-zero numbers' : 'finite numbers',
      values,
    );
  }
  return Array.from({ length: channels }, (_, c) => values[values.length === 1 ? 0 : c]);
}

function checkSize(field: 'height' | 'width', value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidInputSpecError(field, 'a positive integer', value);
  }
}

/** Checks a spec and expands its mean and std to one value per channel. */
export function resolveNormalization(spec: InputSpec): Normalization {
  checkSize('height', spec.height);
  checkSize('width', spec.width);
  if (spec.channels !== 1 && spec.channels !== 3) {
    throw new InvalidInputSpecError('channels', '1 or 3', spec.channels);
  }
  if (!Number.isFinite(spec.scale) || spec.scale === 0) {
    throw new InvalidInputSpecError('scale', 'a finite non-zero number', spec.scale);
  }

  return {
    scale: spec.scale,
    mean: perChannel('mean', spec.mean, spec.channels),
    std: perChannel('std', spec.std, spec.channels),
  };
}
