import * as fs from 'node:fs';
import * as path from 'node:path';

import { decodeModel } from './onnx.codec';
import { resolveExternalData } from './external-data.resolver';
import type { ModelProto } from './onnx.types';

/** Reads a .onnx file and any external data files beside it into one self-contained ModelProto. */
export function readModelFile(filePath: string): ModelProto {
  const model = decodeModel(fs.readFileSync(filePath));
  return resolveExternalData(model, path.dirname(path.resolve(filePath)));
}
