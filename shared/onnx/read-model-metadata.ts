import onnxProto from 'onnx-proto';
import { readModelFile } from './model-file.ts';

const { onnx } = onnxProto;

/** One graph input or output: its name, element type and dimensions (a string is a symbolic dimension). */
export interface TensorSignature {
  name: string;
  /** ONNX element type name (`float`, `int64`, `string`...), or a composite such as `seq(map(int64,float))`. */
  dtype: string;
  shape: (number | string)[];
}

/** What a model says about itself, read from the ModelProto without running it. */
export interface OnnxMetadata {
  irVersion?: number;
  producer?: string;
  producerVersion?: string;
  /** Operator sets the graph imports; the default domain is written `ai.onnx`. */
  opsets: { domain: string; version: number }[];
  /** Graph inputs fed at run time (initializers listed as inputs by old exporters are left out). */
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  /** `metadata_props` key/value pairs the exporter or the author stored in the model. */
  metadata: Record<string, string>;
}

// TensorProto.DataType numbers, including those newer than the onnx-proto bundle (float8, int4, float4).
const ELEMENT_TYPES = [
  'undefined',
  'float',
  'uint8',
  'int8',
  'uint16',
  'int16',
  'int32',
  'int64',
  'string',
  'bool',
  'float16',
  'double',
  'uint32',
  'uint64',
  'complex64',
  'complex128',
  'bfloat16',
  'float8e4m3fn',
  'float8e4m3fnuz',
  'float8e5m2',
  'float8e5m2fnuz',
  'uint4',
  'int4',
  'float4e2m1',
];

type Integer = number | { toString(): string } | null | undefined;

function toNumber(value: Integer): number | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'number' ? value : Number(value.toString());
}

function elementType(code: number | null | undefined): string {
  return ELEMENT_TYPES[code ?? 0] ?? `type${code}`;
}

function describeType(type: onnxProto.onnx.ITypeProto | null | undefined): {
  dtype: string;
  shape: (number | string)[];
} {
  if (!type) return { dtype: 'unknown', shape: [] };
  const tensor = type.tensorType ?? type.sparseTensorType;
  if (tensor) {
    const shape = (tensor.shape?.dim ?? []).map((dim, index) => {
      const fixed = toNumber(dim.dimValue);
      if (dim.dimParam) return dim.dimParam;
      return fixed !== undefined && fixed > 0 ? fixed : `d${index}`;
    });
    return { dtype: elementType(tensor.elemType), shape };
  }
  if (type.sequenceType)
    return { dtype: `seq(${describeType(type.sequenceType.elemType).dtype})`, shape: [] };
  if (type.mapType) {
    const value = describeType(type.mapType.valueType).dtype;
    return { dtype: `map(${elementType(type.mapType.keyType)},${value})`, shape: [] };
  }
  if (type.optionalType)
    return { dtype: `optional(${describeType(type.optionalType.elemType).dtype})`, shape: [] };
  return { dtype: 'unknown', shape: [] };
}

function signature(value: onnxProto.onnx.IValueInfoProto): TensorSignature {
  return { name: value.name ?? '', ...describeType(value.type) };
}

/**
 * Decodes an ONNX ModelProto and returns its metadata: IR version, producer, opset imports, and the graph's
 * inputs and outputs with element types and shapes. Throws when the bytes are not an ONNX model.
 */
export function decodeModelMetadata(bytes: Uint8Array): OnnxMetadata {
  return metadataOf(onnx.ModelProto.decode(bytes));
}

/** The metadata of a decoded ModelProto (see `decodeModelMetadata`). */
export function metadataOf(model: onnxProto.onnx.ModelProto): OnnxMetadata {
  if (!model.graph) throw new Error('no graph in the model');
  const initializers = new Set((model.graph.initializer ?? []).map((tensor) => tensor.name));
  const metadata: OnnxMetadata = {
    opsets: (model.opsetImport ?? []).map((opset) => ({
      domain: opset.domain || 'ai.onnx',
      version: toNumber(opset.version) ?? 0,
    })),
    inputs: (model.graph.input ?? []).filter((input) => !initializers.has(input.name ?? '')).map(signature),
    outputs: (model.graph.output ?? []).map(signature),
    metadata: Object.fromEntries(
      (model.metadataProps ?? []).map((entry) => [entry.key ?? '', entry.value ?? '']),
    ),
  };
  const irVersion = toNumber(model.irVersion);
  if (irVersion) metadata.irVersion = irVersion;
  if (model.producerName) metadata.producer = model.producerName;
  if (model.producerVersion) metadata.producerVersion = model.producerVersion;
  return metadata;
}

/**
 * Reads an ONNX file's metadata (see `decodeModelMetadata`). A file that is missing or is not an ONNX
 * model (an LFS pointer, empty, truncated...) is an InputError naming `displayName` (see `readModelFile`).
 */
export async function readModelMetadata(file: string, displayName = file): Promise<OnnxMetadata> {
  return metadataOf((await readModelFile(file, displayName)).model);
}
