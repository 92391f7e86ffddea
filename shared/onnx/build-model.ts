// onnx-proto is CommonJS whose exports Node cannot detect statically, so it is imported whole.
import onnxProto, { type onnx as Onnx } from 'onnx-proto';

import { toFloat16Bits } from './model-io.ts';

const { onnx } = onnxProto;

/** ONNX element types by the names onnxruntime's `Tensor.Type` uses. */
export const ONNX_ELEMENT_TYPES = {
  float32: onnx.TensorProto.DataType.FLOAT,
  uint8: onnx.TensorProto.DataType.UINT8,
  int8: onnx.TensorProto.DataType.INT8,
  uint16: onnx.TensorProto.DataType.UINT16,
  int16: onnx.TensorProto.DataType.INT16,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
  string: onnx.TensorProto.DataType.STRING,
  bool: onnx.TensorProto.DataType.BOOL,
  float16: onnx.TensorProto.DataType.FLOAT16,
  float64: onnx.TensorProto.DataType.DOUBLE,
  uint32: onnx.TensorProto.DataType.UINT32,
  uint64: onnx.TensorProto.DataType.UINT64,
} as const;
export type OnnxElementType = keyof typeof ONNX_ELEMENT_TYPES;

/** What a classifier's ZipMap returns: one map from class label to probability per row. */
export type SequenceOfMaps = 'seq(map(int64,float))' | 'seq(map(string,float))';

/** A graph input or output. `shape`: numbers are fixed sizes, strings symbolic ones; `[]` is a scalar. */
export interface ValueSpec {
  name: string;
  type: OnnxElementType | SequenceOfMaps;
  /** Omit for "shape unknown"; `null` is a dimension with neither size nor name (skl2onnx's `None`). */
  shape?: readonly (number | string | null)[];
}

/** A constant tensor stored in the model (weights). */
export interface InitializerSpec {
  name: string;
  type: 'float32' | 'float16' | 'int64';
  dims: readonly number[];
  values: readonly number[];
}

export type AttributeValue =
  | number
  | readonly number[]
  | string
  | { floats: readonly number[] }
  | { strings: readonly string[] };

/** One operator. Integer attributes are written as ints; use `{ floats: [...] }` for a float list. */
export interface NodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  /** Numbers that are whole are written as INT, others as FLOAT; use `floatAttributes` to force FLOAT. */
  attributes?: Readonly<Record<string, AttributeValue>>;
  floatAttributes?: Readonly<Record<string, number>>;
  domain?: string;
}

export interface ModelSpec {
  inputs: readonly ValueSpec[];
  outputs: readonly ValueSpec[];
  nodes: readonly NodeSpec[];
  initializers?: readonly InitializerSpec[];
  /** Default opset 17 of the ai.onnx domain. */
  opset?: number;
  /** Extra operator-set imports, e.g. `{ 'ai.onnx.ml': 3 }`. */
  extraOpsets?: Readonly<Record<string, number>>;
  name?: string;
  /** `producer_name` and `producer_version`, as an exporter writes them. */
  producer?: { name: string; version: string };
  /** `metadata_props` key/value pairs. */
  metadata?: Readonly<Record<string, string>>;
}

function valueInfo(spec: ValueSpec): Onnx.IValueInfoProto {
  if (spec.type === 'seq(map(int64,float))' || spec.type === 'seq(map(string,float))') {
    const keyType =
      spec.type === 'seq(map(int64,float))' ? ONNX_ELEMENT_TYPES.int64 : ONNX_ELEMENT_TYPES.string;
    const valueType = { tensorType: { elemType: ONNX_ELEMENT_TYPES.float32 } };
    return { name: spec.name, type: { sequenceType: { elemType: { mapType: { keyType, valueType } } } } };
  }
  const tensorType: Onnx.TypeProto.ITensor = { elemType: ONNX_ELEMENT_TYPES[spec.type] };
  if (spec.shape) {
    tensorType.shape = {
      dim: spec.shape.map((dim) =>
        dim === null ? {} : typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim },
      ),
    };
  }
  return { name: spec.name, type: { tensorType } };
}

function attribute(name: string, value: AttributeValue, forceFloat: boolean): Onnx.IAttributeProto {
  const Type = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: Type.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    return forceFloat || !Number.isInteger(value)
      ? { name, type: Type.FLOAT, f: value }
      : { name, type: Type.INT, i: value };
  }
  if ('floats' in value) return { name, type: Type.FLOATS, floats: [...value.floats] };
  if ('strings' in value) {
    const encoder = new TextEncoder();
    return { name, type: Type.STRINGS, strings: value.strings.map((text) => encoder.encode(text)) };
  }
  return { name, type: Type.INTS, ints: [...value] };
}

function initializer(spec: InitializerSpec): Onnx.ITensorProto {
  // float16 values are stored as their bits in int32_data, as the ONNX spec has it.
  if (spec.type === 'float16') {
    return {
      name: spec.name,
      dataType: ONNX_ELEMENT_TYPES.float16,
      dims: [...spec.dims],
      int32Data: spec.values.map(toFloat16Bits),
    };
  }
  return spec.type === 'float32'
    ? {
        name: spec.name,
        dataType: ONNX_ELEMENT_TYPES.float32,
        dims: [...spec.dims],
        floatData: [...spec.values],
      }
    : {
        name: spec.name,
        dataType: ONNX_ELEMENT_TYPES.int64,
        dims: [...spec.dims],
        int64Data: [...spec.values],
      };
}

/**
 * Serialises a small ONNX model (IR version 8) from a plain description: enough for test models such as
 * MatMul + Add with a symbolic batch dimension, or one Identity per dtype. Returns the `.onnx` bytes.
 */
export function buildOnnxModel(spec: ModelSpec): Uint8Array {
  const nodes = spec.nodes.map((node, index) => ({
    name: `${node.op}_${index}`,
    opType: node.op,
    input: [...node.inputs],
    output: [...node.outputs],
    domain: node.domain ?? '',
    attribute: [
      ...Object.entries(node.attributes ?? {}).map(([name, value]) => attribute(name, value, false)),
      ...Object.entries(node.floatAttributes ?? {}).map(([name, value]) => attribute(name, value, true)),
    ],
  }));
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: spec.producer?.name ?? 'mlgate-test',
    ...(spec.producer ? { producerVersion: spec.producer.version } : {}),
    opsetImport: [
      { domain: '', version: spec.opset ?? 17 },
      ...Object.entries(spec.extraOpsets ?? {}).map(([domain, version]) => ({ domain, version })),
    ],
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: spec.name ?? 'graph',
      node: nodes,
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
      initializer: (spec.initializers ?? []).map(initializer),
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/**
 * A dense layer model `y = x · W + b` with a symbolic batch dimension: input `x` float32 [batch, inputs],
 * output `y` float32 [batch, outputs]. `repeat` chains that many extra square layers (when
 * inputs = outputs) to make a deliberately slower variant of the same function shape.
 */
export function denseModel(options: { inputs: number; outputs: number; repeat?: number; seed?: number }) {
  const { inputs, outputs } = options;
  let state = options.seed ?? 1;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648 - 0.5;
  };
  const weights = (rows: number, cols: number) => Array.from({ length: rows * cols }, () => next() * 0.1);
  const initializers: InitializerSpec[] = [
    { name: 'W', type: 'float32', dims: [inputs, outputs], values: weights(inputs, outputs) },
    { name: 'b', type: 'float32', dims: [outputs], values: weights(1, outputs) },
  ];
  const nodes: NodeSpec[] = [
    { op: 'MatMul', inputs: ['x', 'W'], outputs: ['xw'] },
    { op: 'Add', inputs: ['xw', 'b'], outputs: ['h0'] },
  ];
  const repeat = options.repeat ?? 0;
  if (repeat > 0) {
    initializers.push({
      name: 'S',
      type: 'float32',
      dims: [outputs, outputs],
      values: weights(outputs, outputs),
    });
  }
  for (let i = 0; i < repeat; i++)
    nodes.push({ op: 'MatMul', inputs: [`h${i}`, 'S'], outputs: [`h${i + 1}`] });
  nodes.push({ op: 'Identity', inputs: [`h${repeat}`], outputs: ['y'] });
  return buildOnnxModel({
    inputs: [{ name: 'x', type: 'float32', shape: ['batch', inputs] }],
    outputs: [{ name: 'y', type: 'float32', shape: ['batch', outputs] }],
    nodes,
    initializers,
  });
}
