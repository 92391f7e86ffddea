import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type ModelProto = onnxProto.onnx.ModelProto;
type NodeProto = onnxProto.onnx.INodeProto;

/** A ZipMap graph output and the probability tensor it is built from. */
export interface ZipMapOutput {
  /** The graph output onnxruntime-node cannot return (a sequence of maps). */
  output: string;
  /** The float tensor [N, classes] feeding the ZipMap, fetched in its place. */
  tensor: string;
  /** Whether `tensor` was added as a graph output (false when the graph already had it as one). */
  added: boolean;
  /** `classlabels_int64s` or `classlabels_strings`, in column order. */
  classes: (number | string)[];
}

const decoder = new TextDecoder();

function attribute(node: NodeProto, name: string) {
  return node.attribute?.find((entry) => entry.name === name);
}

/** A node's class labels (`classlabels_int64s`/`_ints`/`_strings`), in the order of its probability columns. */
export function classLabels(node: NodeProto): (number | string)[] | undefined {
  for (const name of ['classlabels_int64s', 'classlabels_ints']) {
    const ints = attribute(node, name)?.ints;
    if (ints && ints.length > 0) return ints.map((value) => Number(value));
  }
  const strings = attribute(node, 'classlabels_strings')?.strings;
  if (strings && strings.length > 0) return strings.map((value) => decoder.decode(value));
  return undefined;
}

/**
 * Adds the input of every ZipMap that produces a graph output as a graph output of its own (a float
 * tensor), so onnxruntime can return the probabilities the ZipMap would have turned into maps. The
 * original outputs stay, so the graph computes what it always did. Returns the edited model's bytes.
 */
export function exposeZipMapInputs(file: { bytes: Uint8Array; model: ModelProto }): {
  bytes: Uint8Array;
  zipMaps: ZipMapOutput[];
} {
  const graph = file.model.graph!;
  const outputs = new Set((graph.output ?? []).map((output) => output.name ?? ''));
  const zipMaps: ZipMapOutput[] = [];
  for (const node of graph.node ?? []) {
    const output = node.output?.[0];
    const tensor = node.input?.[0];
    if (node.opType !== 'ZipMap' || !output || !tensor || !outputs.has(output)) continue;
    zipMaps.push({ output, tensor, classes: classLabels(node) ?? [], added: !outputs.has(tensor) });
  }
  if (zipMaps.length === 0) return { bytes: file.bytes, zipMaps };
  // Decoded afresh so the caller's model stays as the file has it.
  const edited = onnx.ModelProto.decode(file.bytes);
  for (const zipMap of zipMaps.filter((entry) => entry.added)) {
    edited.graph!.output!.push(
      onnx.ValueInfoProto.create({
        name: zipMap.tensor,
        type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT } },
      }),
    );
  }
  return { bytes: onnx.ModelProto.encode(edited).finish(), zipMaps };
}

// Operators that pass a value through unchanged in meaning (a reshape, a cast, an L1 renormalisation).
const PASS_THROUGH = new Set([
  'Identity',
  'Cast',
  'Reshape',
  'Flatten',
  'Squeeze',
  'Unsqueeze',
  'Normalizer',
  'ZipMap',
]);

/** What produces a graph value, following pass-through operators back to the operator that computes it. */
export interface Origin {
  /** The computing operator, e.g. `TreeEnsembleClassifier`, `Sigmoid`, `Gemm`; undefined for a graph input. */
  op: string | undefined;
  /** The class labels of that operator, when it is a classifier that lists them. */
  classes?: (number | string)[];
}

/** Follows `value` back through pass-through operators to the node that computes it. */
export function originOf(model: ModelProto, value: string): Origin {
  const producers = new Map<string, NodeProto>();
  for (const node of model.graph?.node ?? [])
    for (const output of node.output ?? []) producers.set(output, node);
  let name = value;
  for (let steps = 0; steps < 64; steps++) {
    const node = producers.get(name);
    if (!node) return { op: undefined };
    if (!PASS_THROUGH.has(node.opType ?? '') || !node.input?.[0]) {
      const classes = classLabels(node);
      return classes ? { op: node.opType ?? undefined, classes } : { op: node.opType ?? undefined };
    }
    name = node.input[0];
  }
  return { op: undefined };
}

/** ai.onnx.ml operators whose outputs are a label and per-class scores. */
export const CLASSIFIER_OPS = new Set(['LinearClassifier', 'TreeEnsembleClassifier', 'SVMClassifier']);
/** ai.onnx.ml operators that predict a number, not a class. */
export const REGRESSOR_OPS = new Set(['LinearRegressor', 'TreeEnsembleRegressor', 'SVMRegressor']);
