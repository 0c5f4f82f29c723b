import * as path from 'node:path';
import * as protobuf from 'protobufjs';

/**
 * ONNX's own schema, read at run time by protobufjs: a maintained library
 * plus the official .proto file, so there is no generated code to keep in
 * sync with the schema. The path works from src/ (ts) and dist/ (js) alike.
 */
const SCHEMA_PATH = path.resolve(__dirname, '../../proto/onnx/onnx.proto');

let root: protobuf.Root | undefined;

/** The protobufjs reflection type for a message of package `onnx`, e.g. 'ModelProto'. */
export function onnxMessageType(name: string): protobuf.Type {
  root ??= protobuf.loadSync(SCHEMA_PATH);
  return root.lookupType(`onnx.${name}`);
}
