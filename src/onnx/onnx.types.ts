/**
 * Typed views of the parts of ONNX's protobuf schema (proto/onnx/onnx.proto)
 * that cnn-lens reads and writes. Field names are protobufjs's camelCase.
 * Repeated fields are always arrays after decoding; fields we never touch
 * (training_info, functions, ...) still survive a decode/encode round trip
 * because objects are copied with spreads, never rebuilt field by field.
 *
 * int64 fields are JS numbers: every dim and attribute fits 2^53 except the
 * INT64_MAX/MIN sentinels (Slice ends), which round to +-2^63 and are written
 * back as INT64_MAX/MIN by the codec.
 */

/** onnx.TensorProto.DataType */
export const DataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
} as const;

/** onnx.AttributeProto.AttributeType */
export const AttributeType = {
  UNDEFINED: 0,
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  TENSORS: 9,
  GRAPHS: 10,
} as const;

export const DataLocation = { DEFAULT: 0, EXTERNAL: 1 } as const;

export interface StringStringEntryProto {
  key?: string;
  value?: string;
}

export interface TensorProto {
  dims: number[];
  dataType?: number;
  floatData: number[];
  int32Data: number[];
  stringData: Uint8Array[];
  int64Data: number[];
  name?: string;
  docString?: string;
  rawData?: Uint8Array;
  externalData: StringStringEntryProto[];
  dataLocation?: number;
  doubleData: number[];
  uint64Data: number[];
}

/** A sparse tensor: `values` at `indices` of a dense tensor shaped `dims`. */
export interface SparseTensorProto {
  values?: TensorProto;
  indices?: TensorProto;
  dims: number[];
}

export interface AttributeProto {
  name?: string;
  type?: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  /** Absent on attributes written in code; decoded attributes always have the list fields. */
  sparseTensor?: SparseTensorProto;
  floats: number[];
  ints: number[];
  strings: Uint8Array[];
  tensors: TensorProto[];
  graphs: GraphProto[];
  sparseTensors?: SparseTensorProto[];
  refAttrName?: string;
  docString?: string;
}

export interface TensorShapeDimension {
  dimValue?: number;
  dimParam?: string;
  denotation?: string;
}

export interface TensorTypeProto {
  elemType?: number;
  shape?: { dim: TensorShapeDimension[] };
}

export interface TypeProto {
  tensorType?: TensorTypeProto;
  denotation?: string;
}

export interface ValueInfoProto {
  name?: string;
  type?: TypeProto;
  docString?: string;
}

export interface NodeProto {
  input: string[];
  output: string[];
  name?: string;
  opType?: string;
  domain?: string;
  attribute: AttributeProto[];
  docString?: string;
}

export interface GraphProto {
  node: NodeProto[];
  name?: string;
  initializer: TensorProto[];
  docString?: string;
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  valueInfo: ValueInfoProto[];
  /** Initializers stored sparse; absent on graphs written in code. */
  sparseInitializer?: SparseTensorProto[];
}

export interface OperatorSetIdProto {
  domain?: string;
  version?: number;
}

export interface ModelProto {
  irVersion?: number;
  opsetImport: OperatorSetIdProto[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: number;
  docString?: string;
  graph?: GraphProto;
  metadataProps: StringStringEntryProto[];
  /** Model-local functions (IR 8); absent on models written in code. */
  functions?: FunctionProto[];
}

/** A model-local function: only its nodes are read (for their attribute tensors). */
export interface FunctionProto {
  name?: string;
  node: NodeProto[];
}
