import * as protobuf from 'protobufjs';
import { onnxMessageType } from './onnx-schema';
import type { ModelProto } from './onnx.types';

const TWO_POW_63 = 2 ** 63;

/** Decodes serialized ONNX bytes (a .onnx file's content) into a ModelProto. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const type = onnxMessageType('ModelProto');
  const message = type.decode(bytes);
  return type.toObject(message, { longs: Number, arrays: true, defaults: false }) as ModelProto;
}

/** Serializes a ModelProto to ONNX bytes (what onnxruntime's InferenceSession.create takes). */
export function encodeModel(model: ModelProto): Uint8Array {
  const type = onnxMessageType('ModelProto');
  const safe = restoreInt64Sentinels(type, model as unknown as Record<string, unknown>);
  return type.encode(type.fromObject(safe)).finish();
}

/**
 * Doubles at or beyond +-2^63 came from INT64_MAX/MIN (they cannot be
 * anything else); protobufjs would wrap them, so they go back as Longs.
 */
function restoreInt64Sentinels(
  type: protobuf.Type,
  message: Record<string, unknown>,
): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;

  for (const field of type.fieldsArray) {
    const value = message[field.name];
    if (value === undefined || value === null) {
      continue;
    }
    const fixed = restoreField(field, value);
    if (fixed !== value) {
      copy ??= { ...message };
      copy[field.name] = fixed;
    }
  }
  return copy ?? message;
}

function restoreField(field: protobuf.Field, value: unknown): unknown {
  field.resolve();
  const nested = field.resolvedType;

  if (nested instanceof protobuf.Type) {
    if (Array.isArray(value)) {
      const items = value as Record<string, unknown>[];
      const fixed = items.map((item) => restoreInt64Sentinels(nested, item));
      return fixed.some((item, i) => item !== items[i]) ? fixed : value;
    }
    return restoreInt64Sentinels(nested, value as Record<string, unknown>);
  }
  if (!field.long) {
    return value;
  }
  if (Array.isArray(value)) {
    const numbers = value as unknown[];
    return numbers.some(isOutOfInt64) ? numbers.map(toLongIfNeeded) : value;
  }
  return toLongIfNeeded(value);
}

function isOutOfInt64(value: unknown): boolean {
  return typeof value === 'number' && (value >= TWO_POW_63 || value < -TWO_POW_63);
}

function toLongIfNeeded(value: unknown): unknown {
  if (!isOutOfInt64(value)) {
    return value;
  }
  return (value as number) > 0 ? '9223372036854775807' : '-9223372036854775808';
}
