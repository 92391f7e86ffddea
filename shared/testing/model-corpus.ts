/**
 * The model compatibility corpus: tiny ONNX graphs shaped as the common exporters write them by default
 * (input and output names, element types, dimensions, operator domains, ZipMap), built here from the
 * exporters' documented conventions so the tests need no download. Each entry says what `mlgate.yml`
 * needs for it and what every gate does with it; `docs/models.md` lists the same table.
 *
 * Conventions followed:
 * - skl2onnx `convert_sklearn(model, initial_types=[('float_input', FloatTensorType([None, 4]))])`: the
 *   classifier node writes `label` and `probabilities`; by default a Cast gives `output_label` and an
 *   `ai.onnx.ml` ZipMap (`classlabels_int64s`) gives `output_probability` as seq(map(int64, float));
 *   with `options={'zipmap': False}` the outputs are `label` and `probabilities` [None, classes]. A
 *   regressor writes `variable` [None, 1].
 * - onnxmltools `convert_lightgbm` (input `input`): `label` and a ZipMap named `probabilities`;
 *   `convert_xgboost`: `label` and the tensor `probabilities` [None, 2].
 * - torch.onnx.export(input_names=['input'], output_names=['output']): Gemm layers with `transB=1` and
 *   weights named `fc1.weight`; `dynamic_axes={'input': {0: 'batch_size'}}` names the batch dimension,
 *   without it the batch is fixed at the example's size (1).
 * - Hugging Face (optimum / transformers.onnx) sequence classification: int64 `input_ids` and
 *   `attention_mask` [batch_size, sequence_length], output `logits` [batch_size, labels].
 */
import { buildOnnxModel, type InitializerSpec, type ModelSpec, type NodeSpec } from '../onnx/build-model.ts';
import { createRandom } from '../stats/random.ts';

/** What a gate does with a corpus model configured as its entry says. */
export type GateOutcome = 'runs' | { refused: RegExp };

export interface CorpusModel {
  /** Short id, also the row key of the table in docs/models.md. */
  id: string;
  /** The exporter call this graph mirrors. */
  exporter: string;
  bytes: Uint8Array;
  /** `model:` keys beyond name and path that this shape needs. */
  model?: {
    inputs?: Record<string, string | string[]>;
    'score-output'?: string;
    'positive-class'?: string | number;
  };
  /** `gates.benchmark.inputs` this shape needs (free non-batch dimensions, value ranges). */
  benchmarkInputs?: Record<string, { shape?: (number | 'batch')[]; values?: unknown }>;
  /** `gates.fairness.prediction.score`, when the scores are logits the graph does not announce. */
  score?: 'logit';
  expected: {
    /** validate-data's model contract, with fairness scoring the model in the same config. */
    contract: 'pass' | 'fail';
    benchmark: GateOutcome;
    fairness: GateOutcome;
  };
}

/** The true weights of the corpus data: every tabular model scores with them (or close), so results agree. */
const WEIGHTS = [0.8, -0.5, 0.3, 0.1];
const BIAS = -0.2;
const CATEGORIES = ['a', 'b', 'c'];
const CATEGORY_WEIGHTS = [0.2, -0.3, 0.1];
const TOKENS = 8;
const VOCABULARY = 16;

const SKL2ONNX = { name: 'skl2onnx', version: '1.17.0' };
const ONNXMLTOOLS = { name: 'OnnxMLTools', version: '1.12.0' };
const PYTORCH = { name: 'pytorch', version: '2.5.0' };
const ML = { 'ai.onnx.ml': 3 };

/** skl2onnx's `FloatTensorType([None, 4])`: a batch dimension with neither size nor name. */
const floatInput = (name: string) => ({ name, type: 'float32' as const, shape: [null, 4] });

/** An `ai.onnx.ml` graph over one float [None, 4] input, as skl2onnx and onnxmltools write them. */
function mlGraph(
  producer: ModelSpec['producer'],
  input: string,
  nodes: NodeSpec[],
  outputs: ModelSpec['outputs'],
): Uint8Array {
  return buildOnnxModel({
    producer,
    opset: 15,
    extraOpsets: ML,
    inputs: [floatInput(input)],
    nodes,
    outputs,
  });
}

/** A binary LinearClassifier as skl2onnx writes LogisticRegression: rows (-w, -b) and (w, b), LOGISTIC. */
function linearClassifier(input: string, weights: number[], bias: number): NodeSpec[] {
  return [
    {
      op: 'LinearClassifier',
      domain: 'ai.onnx.ml',
      inputs: [input],
      outputs: ['label', 'probability_tensor'],
      attributes: {
        classlabels_ints: [0, 1],
        coefficients: { floats: [...weights.map((w) => -w), ...weights] },
        intercepts: { floats: [-bias, bias] },
        multi_class: 0,
        post_transform: 'LOGISTIC',
      },
    },
    {
      op: 'Normalizer',
      domain: 'ai.onnx.ml',
      inputs: ['probability_tensor'],
      outputs: ['probabilities'],
      attributes: { norm: 'L1' },
    },
  ];
}

/** skl2onnx's default tail: `output_label` (Cast) and `output_probability` (ZipMap over `probabilities`). */
function zipMapTail(classes: number[]): Pick<ModelSpec, 'outputs'> & { nodes: NodeSpec[] } {
  return {
    nodes: [
      { op: 'Cast', inputs: ['label'], outputs: ['output_label'], attributes: { to: 7 } },
      {
        op: 'ZipMap',
        domain: 'ai.onnx.ml',
        inputs: ['probabilities'],
        outputs: ['output_probability'],
        attributes: { classlabels_int64s: classes },
      },
    ],
    outputs: [
      { name: 'output_label', type: 'int64', shape: [null] },
      { name: 'output_probability', type: 'seq(map(int64,float))' },
    ],
  };
}

function sklearnLogisticRegression(zipmap: boolean): Uint8Array {
  const tail = zipmap
    ? zipMapTail([0, 1])
    : {
        nodes: [],
        outputs: [
          { name: 'label', type: 'int64' as const, shape: [null] },
          { name: 'probabilities', type: 'float32' as const, shape: [null, 2] },
        ],
      };
  return mlGraph(
    SKL2ONNX,
    'float_input',
    [...linearClassifier('float_input', WEIGHTS, BIAS), ...tail.nodes],
    tail.outputs,
  );
}

/** Three classes: class 1 is the corpus's positive class, the others split the rest. */
function sklearnMulticlass(): Uint8Array {
  const tail = zipMapTail([0, 1, 2]);
  return mlGraph(
    SKL2ONNX,
    'float_input',
    [
      {
        op: 'LinearClassifier',
        domain: 'ai.onnx.ml',
        inputs: ['float_input'],
        outputs: ['label', 'probability_tensor'],
        attributes: {
          classlabels_ints: [0, 1, 2],
          coefficients: {
            floats: [...WEIGHTS.map((w) => -w / 2), ...WEIGHTS, ...WEIGHTS.map((w) => -w / 2)],
          },
          intercepts: { floats: [0, BIAS, 0.1] },
          multi_class: 1,
          post_transform: 'SOFTMAX',
        },
      },
      {
        op: 'Normalizer',
        domain: 'ai.onnx.ml',
        inputs: ['probability_tensor'],
        outputs: ['probabilities'],
        attributes: { norm: 'L1' },
      },
      ...tail.nodes,
    ],
    tail.outputs,
  );
}

interface Stump {
  feature: number;
  threshold: number;
  /** Leaf weights per class, [left (x <= threshold), right]. */
  left: number[];
  right: number[];
}

/** A TreeEnsembleClassifier of one-split trees, with the attribute layout skl2onnx and onnxmltools write. */
function treeEnsemble(
  input: string,
  outputs: string[],
  stumps: Stump[],
  options: {
    postTransform: 'NONE' | 'LOGISTIC';
    classIds: number[];
  },
): NodeSpec {
  const nodes = stumps.flatMap((stump, tree) => [0, 1, 2].map((node) => ({ tree, node, stump })));
  const leaves = stumps.flatMap((stump, tree) =>
    [1, 2].flatMap((node) =>
      options.classIds.map((classId, index) => ({
        tree,
        node,
        classId,
        weight: (node === 1 ? stump.left : stump.right)[index]!,
      })),
    ),
  );
  return {
    op: 'TreeEnsembleClassifier',
    domain: 'ai.onnx.ml',
    inputs: [input],
    outputs,
    attributes: {
      nodes_treeids: nodes.map((n) => n.tree),
      nodes_nodeids: nodes.map((n) => n.node),
      nodes_featureids: nodes.map((n) => (n.node === 0 ? n.stump.feature : 0)),
      nodes_modes: { strings: nodes.map((n) => (n.node === 0 ? 'BRANCH_LEQ' : 'LEAF')) },
      nodes_values: { floats: nodes.map((n) => (n.node === 0 ? n.stump.threshold : 0)) },
      nodes_truenodeids: nodes.map((n) => (n.node === 0 ? 1 : 0)),
      nodes_falsenodeids: nodes.map((n) => (n.node === 0 ? 2 : 0)),
      nodes_hitrates: { floats: nodes.map(() => 1) },
      nodes_missing_value_tracks_true: nodes.map(() => 0),
      class_treeids: leaves.map((leaf) => leaf.tree),
      class_nodeids: leaves.map((leaf) => leaf.node),
      class_ids: leaves.map((leaf) => leaf.classId),
      class_weights: { floats: leaves.map((leaf) => leaf.weight) },
      classlabels_int64s: [0, 1],
      post_transform: options.postTransform,
    },
  };
}

/** RandomForestClassifier(n_estimators=2, max_depth=1): each leaf holds class frequencies / 2. */
function sklearnRandomForest(): Uint8Array {
  const tail = zipMapTail([0, 1]);
  const stumps: Stump[] = [
    { feature: 0, threshold: 0, left: [0.35, 0.15], right: [0.15, 0.35] },
    { feature: 1, threshold: 0, left: [0.2, 0.3], right: [0.3, 0.2] },
  ];
  return mlGraph(
    SKL2ONNX,
    'float_input',
    [
      treeEnsemble('float_input', ['label', 'probabilities'], stumps, {
        postTransform: 'NONE',
        classIds: [0, 1],
      }),
      ...tail.nodes,
    ],
    tail.outputs,
  );
}

/**
 * Pipeline(ColumnTransformer([('num', StandardScaler(), f0..f3), ('cat', OneHotEncoder(), ['cat'])]),
 * LogisticRegression) with one input per column, as skl2onnx converts a DataFrame's columns.
 */
function sklearnPipeline(): Uint8Array {
  const tail = zipMapTail([0, 1]);
  return buildOnnxModel({
    producer: SKL2ONNX,
    opset: 15,
    extraOpsets: ML,
    inputs: [
      ...['f0', 'f1', 'f2', 'f3'].map((name) => ({ name, type: 'float32' as const, shape: [null, 1] })),
      { name: 'cat', type: 'string', shape: [null, 1] },
    ],
    initializers: [{ name: 'cat_shape', type: 'int64', dims: [2], values: [-1, CATEGORIES.length] }],
    nodes: [
      { op: 'Concat', inputs: ['f0', 'f1', 'f2', 'f3'], outputs: ['num'], attributes: { axis: 1 } },
      {
        op: 'Scaler',
        domain: 'ai.onnx.ml',
        inputs: ['num'],
        outputs: ['num_scaled'],
        attributes: { offset: { floats: [0, 0, 0, 0] }, scale: { floats: [1, 1, 1, 1] } },
      },
      {
        op: 'OneHotEncoder',
        domain: 'ai.onnx.ml',
        inputs: ['cat'],
        outputs: ['cat_onehot'],
        attributes: { cats_strings: { strings: CATEGORIES }, zeros: 1 },
      },
      { op: 'Reshape', inputs: ['cat_onehot', 'cat_shape'], outputs: ['cat_encoded'] },
      { op: 'Concat', inputs: ['num_scaled', 'cat_encoded'], outputs: ['features'], attributes: { axis: 1 } },
      ...linearClassifier('features', [...WEIGHTS, ...CATEGORY_WEIGHTS], BIAS),
      ...tail.nodes,
    ],
    outputs: tail.outputs,
  });
}

/** Binary boosted stumps: one margin per leaf for class 1, turned into [1 - p, p] by LOGISTIC. */
const BOOSTED: Stump[] = [
  { feature: 0, threshold: 0, left: [-0.6], right: [0.6] },
  { feature: 1, threshold: 0, left: [0.4], right: [-0.4] },
  { feature: 2, threshold: 0, left: [-0.2], right: [0.2] },
];

/** onnxmltools.convert_lightgbm(LGBMClassifier): `label` and the ZipMap output `probabilities`. */
function lightgbm(): Uint8Array {
  return mlGraph(
    ONNXMLTOOLS,
    'input',
    [
      treeEnsemble('input', ['label_tensor', 'probability_tensor'], BOOSTED, {
        postTransform: 'LOGISTIC',
        classIds: [1],
      }),
      { op: 'Identity', inputs: ['label_tensor'], outputs: ['label'] },
      {
        op: 'ZipMap',
        domain: 'ai.onnx.ml',
        inputs: ['probability_tensor'],
        outputs: ['probabilities'],
        attributes: { classlabels_int64s: [0, 1] },
      },
    ],
    [
      { name: 'label', type: 'int64', shape: [null] },
      { name: 'probabilities', type: 'seq(map(int64,float))' },
    ],
  );
}

/** onnxmltools.convert_xgboost(XGBClassifier): `label` and the tensor `probabilities` [None, 2]. */
function xgboost(): Uint8Array {
  return mlGraph(
    ONNXMLTOOLS,
    'input',
    [
      treeEnsemble('input', ['label', 'probabilities'], BOOSTED, {
        postTransform: 'LOGISTIC',
        classIds: [1],
      }),
    ],
    [
      { name: 'label', type: 'int64', shape: [null] },
      { name: 'probabilities', type: 'float32', shape: [null, 2] },
    ],
  );
}

/** skl2onnx LinearRegression: `variable` [None, 1] from an ai.onnx.ml LinearRegressor. */
function sklearnRegressor(): Uint8Array {
  return mlGraph(
    SKL2ONNX,
    'float_input',
    [
      {
        op: 'LinearRegressor',
        domain: 'ai.onnx.ml',
        inputs: ['float_input'],
        outputs: ['variable'],
        attributes: {
          coefficients: { floats: WEIGHTS.map((w) => w * 1000) },
          intercepts: { floats: [5000] },
        },
      },
    ],
    [{ name: 'variable', type: 'float32', shape: [null, 1] }],
  );
}

/** A two-layer MLP from torch.onnx.export: Gemm(transB=1) + Relu + Gemm, then a sigmoid unless `logits`. */
function torchMlp(options: {
  batch: number | string;
  dtype: 'float32' | 'float16';
  logits?: boolean;
}): Uint8Array {
  const { batch, dtype } = options;
  const hidden = 4;
  // fc1 copies the four features and their negations (Relu keeps each side); fc2 recombines them to w·x.
  const fc1 = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
  const weights: InitializerSpec[] = [
    { name: 'fc1.weight', type: dtype, dims: [2 * hidden, 4], values: [...fc1, ...fc1.map((v) => -v)] },
    { name: 'fc1.bias', type: dtype, dims: [2 * hidden], values: new Array(2 * hidden).fill(0) },
    {
      name: 'fc2.weight',
      type: dtype,
      dims: [1, 2 * hidden],
      values: [...WEIGHTS, ...WEIGHTS.map((w) => -w)],
    },
    { name: 'fc2.bias', type: dtype, dims: [1], values: [BIAS] },
  ];
  const last = options.logits ? 'output' : '/fc2/Gemm_output_0';
  return buildOnnxModel({
    producer: PYTORCH,
    opset: 17,
    name: 'main_graph',
    inputs: [{ name: 'input', type: dtype, shape: [batch, 4] }],
    initializers: weights,
    nodes: [
      {
        op: 'Gemm',
        inputs: ['input', 'fc1.weight', 'fc1.bias'],
        outputs: ['/fc1/Gemm_output_0'],
        attributes: { transB: 1 },
        floatAttributes: { alpha: 1, beta: 1 },
      },
      { op: 'Relu', inputs: ['/fc1/Gemm_output_0'], outputs: ['/relu/Relu_output_0'] },
      {
        op: 'Gemm',
        inputs: ['/relu/Relu_output_0', 'fc2.weight', 'fc2.bias'],
        outputs: [last],
        attributes: { transB: 1 },
        floatAttributes: { alpha: 1, beta: 1 },
      },
      ...(options.logits ? [] : [{ op: 'Sigmoid', inputs: [last], outputs: ['output'] }]),
    ],
    outputs: [{ name: 'output', type: dtype, shape: [batch, 1] }],
  });
}

/** A torch model over mixed inputs: int32 `age` [batch] (rank 1), bool `member` [batch, 1], float `x` [batch, 2]. */
function torchMixedInputs(): Uint8Array {
  return buildOnnxModel({
    producer: PYTORCH,
    opset: 17,
    name: 'main_graph',
    inputs: [
      { name: 'x', type: 'float32', shape: ['batch_size', 2] },
      { name: 'age', type: 'int32', shape: ['batch_size'] },
      { name: 'member', type: 'bool', shape: ['batch_size', 1] },
    ],
    initializers: [
      { name: 'axes', type: 'int64', dims: [1], values: [1] },
      { name: 'head.weight', type: 'float32', dims: [1, 4], values: [WEIGHTS[0]!, WEIGHTS[1]!, 0.01, 0.3] },
      { name: 'head.bias', type: 'float32', dims: [1], values: [BIAS - 0.4] },
    ],
    nodes: [
      { op: 'Cast', inputs: ['age'], outputs: ['age_float'], attributes: { to: 1 } },
      { op: 'Unsqueeze', inputs: ['age_float', 'axes'], outputs: ['age_column'] },
      { op: 'Cast', inputs: ['member'], outputs: ['member_float'], attributes: { to: 1 } },
      {
        op: 'Concat',
        inputs: ['x', 'age_column', 'member_float'],
        outputs: ['features'],
        attributes: { axis: 1 },
      },
      {
        op: 'Gemm',
        inputs: ['features', 'head.weight', 'head.bias'],
        outputs: ['logit'],
        attributes: { transB: 1 },
      },
      { op: 'Sigmoid', inputs: ['logit'], outputs: ['probability'] },
    ],
    outputs: [{ name: 'probability', type: 'float32', shape: ['batch_size', 1] }],
  });
}

/** A BERT-style sequence classifier: token embeddings, masked mean pooling, a linear head giving `logits`. */
function transformer(): Uint8Array {
  const random = createRandom(11);
  const embedding = Array.from({ length: VOCABULARY * 4 }, () => random.next() - 0.5);
  return buildOnnxModel({
    producer: PYTORCH,
    opset: 17,
    name: 'main_graph',
    inputs: [
      { name: 'input_ids', type: 'int64', shape: ['batch_size', 'sequence_length'] },
      { name: 'attention_mask', type: 'int64', shape: ['batch_size', 'sequence_length'] },
    ],
    initializers: [
      {
        name: 'embeddings.word_embeddings.weight',
        type: 'float32',
        dims: [VOCABULARY, 4],
        values: embedding,
      },
      { name: 'mask_axes', type: 'int64', dims: [1], values: [2] },
      { name: 'pool_axes', type: 'int64', dims: [1], values: [1] },
      {
        name: 'classifier.weight',
        type: 'float32',
        dims: [4, 2],
        values: [1, -1, -1, 1, 0.5, -0.5, -0.5, 0.5],
      },
      { name: 'classifier.bias', type: 'float32', dims: [2], values: [0, 0] },
    ],
    nodes: [
      {
        op: 'Gather',
        inputs: ['embeddings.word_embeddings.weight', 'input_ids'],
        outputs: ['embedded'],
        attributes: { axis: 0 },
      },
      { op: 'Cast', inputs: ['attention_mask'], outputs: ['mask_float'], attributes: { to: 1 } },
      { op: 'Unsqueeze', inputs: ['mask_float', 'mask_axes'], outputs: ['mask'] },
      { op: 'Mul', inputs: ['embedded', 'mask'], outputs: ['masked'] },
      { op: 'ReduceSum', inputs: ['masked', 'pool_axes'], outputs: ['pooled'], attributes: { keepdims: 0 } },
      { op: 'MatMul', inputs: ['pooled', 'classifier.weight'], outputs: ['scores'] },
      { op: 'Add', inputs: ['scores', 'classifier.bias'], outputs: ['logits'] },
    ],
    outputs: [{ name: 'logits', type: 'float32', shape: ['batch_size', 2] }],
  });
}

/** A small CNN: Conv + Relu + GlobalAveragePool + Flatten + Gemm over [batch_size, 3, 8, 8] images. */
function cnn(): Uint8Array {
  const random = createRandom(5);
  const values = (count: number) => Array.from({ length: count }, () => random.next() - 0.5);
  return buildOnnxModel({
    producer: PYTORCH,
    opset: 17,
    name: 'main_graph',
    inputs: [{ name: 'input', type: 'float32', shape: ['batch_size', 3, 8, 8] }],
    initializers: [
      { name: 'conv.weight', type: 'float32', dims: [4, 3, 3, 3], values: values(108) },
      { name: 'conv.bias', type: 'float32', dims: [4], values: values(4) },
      { name: 'fc.weight', type: 'float32', dims: [10, 4], values: values(40) },
      { name: 'fc.bias', type: 'float32', dims: [10], values: values(10) },
    ],
    nodes: [
      {
        op: 'Conv',
        inputs: ['input', 'conv.weight', 'conv.bias'],
        outputs: ['conv'],
        attributes: { pads: [1, 1, 1, 1], kernel_shape: [3, 3] },
      },
      { op: 'Relu', inputs: ['conv'], outputs: ['relu'] },
      { op: 'GlobalAveragePool', inputs: ['relu'], outputs: ['pooled'] },
      { op: 'Flatten', inputs: ['pooled'], outputs: ['flat'], attributes: { axis: 1 } },
      {
        op: 'Gemm',
        inputs: ['flat', 'fc.weight', 'fc.bias'],
        outputs: ['output'],
        attributes: { transB: 1 },
      },
    ],
    outputs: [{ name: 'output', type: 'float32', shape: ['batch_size', 10] }],
  });
}

const FEATURES = ['f0', 'f1', 'f2', 'f3'];
const tokens = (prefix: string) => Array.from({ length: TOKENS }, (_, i) => `${prefix}${i}`);

/** Every corpus model, with what it needs configured and what each gate does with it. */
export function modelCorpus(): CorpusModel[] {
  const runs = { contract: 'pass', benchmark: 'runs', fairness: 'runs' } as const;
  /** A classifier over the four feature columns packed into one input, which every gate runs. */
  const tabular = (id: string, exporter: string, bytes: Uint8Array, input: string): CorpusModel => ({
    id,
    exporter,
    bytes,
    model: { inputs: { [input]: FEATURES } },
    expected: runs,
  });
  return [
    tabular(
      'sklearn-logistic-zipmap',
      'skl2onnx LogisticRegression (default: ZipMap)',
      sklearnLogisticRegression(true),
      'float_input',
    ),
    tabular(
      'sklearn-logistic',
      "skl2onnx LogisticRegression, options={'zipmap': False}",
      sklearnLogisticRegression(false),
      'float_input',
    ),
    tabular(
      'sklearn-random-forest-zipmap',
      'skl2onnx RandomForestClassifier (TreeEnsembleClassifier, ZipMap)',
      sklearnRandomForest(),
      'float_input',
    ),
    {
      id: 'sklearn-pipeline-zipmap',
      exporter:
        'skl2onnx Pipeline(ColumnTransformer + OneHotEncoder, LogisticRegression), one input per column',
      bytes: sklearnPipeline(),
      benchmarkInputs: { cat: { values: { constant: 'b' } } },
      expected: runs,
    },
    {
      id: 'sklearn-multiclass-zipmap',
      exporter: 'skl2onnx LogisticRegression on three classes (ZipMap)',
      bytes: sklearnMulticlass(),
      model: { inputs: { float_input: FEATURES }, 'positive-class': 1 },
      expected: runs,
    },
    {
      id: 'sklearn-regressor',
      exporter: 'skl2onnx LinearRegression',
      bytes: sklearnRegressor(),
      model: { inputs: { float_input: FEATURES } },
      expected: {
        contract: 'fail',
        benchmark: 'runs',
        fairness: { refused: /is a regressor \(output variable comes from LinearRegressor\)/ },
      },
    },
    tabular(
      'lightgbm-zipmap',
      'onnxmltools convert_lightgbm(LGBMClassifier) (ZipMap named probabilities)',
      lightgbm(),
      'input',
    ),
    tabular('xgboost', 'onnxmltools convert_xgboost(XGBClassifier)', xgboost(), 'input'),
    tabular(
      'torch-dynamic-batch',
      "torch.onnx.export(..., dynamic_axes={'input': {0: 'batch_size'}}), sigmoid output",
      torchMlp({ batch: 'batch_size', dtype: 'float32' }),
      'input',
    ),
    tabular(
      'torch-fixed-batch',
      'torch.onnx.export without dynamic_axes (batch fixed at 1)',
      torchMlp({ batch: 1, dtype: 'float32' }),
      'input',
    ),
    tabular(
      'torch-float16',
      'torch.onnx.export of model.half() (float16 input and output)',
      torchMlp({ batch: 'batch_size', dtype: 'float16' }),
      'input',
    ),
    {
      id: 'torch-logits',
      exporter:
        'torch.onnx.export of a classifier returning logits (no sigmoid), with prediction.score: logit',
      bytes: torchMlp({ batch: 'batch_size', dtype: 'float32', logits: true }),
      model: { inputs: { input: FEATURES } },
      score: 'logit',
      expected: runs,
    },
    {
      id: 'torch-logits-unlabelled',
      exporter: 'the same logits model without prediction.score',
      bytes: torchMlp({ batch: 'batch_size', dtype: 'float32', logits: true }),
      model: { inputs: { input: FEATURES } },
      expected: {
        contract: 'pass',
        benchmark: 'runs',
        fairness: {
          refused:
            /output output of \S*model\.onnx gives -?[\d.]+ for data row \d+, not a probability in \[0, 1\]: if the model returns logits, set gates\.fairness\.prediction\.score: logit/,
        },
      },
    },
    {
      id: 'torch-int32-bool-rank1',
      exporter: 'torch.onnx.export over int32 [batch] (rank 1), bool [batch, 1] and float [batch, 2] inputs',
      bytes: torchMixedInputs(),
      model: { inputs: { x: ['f0', 'f1'], age: 'age', member: 'member' } },
      expected: runs,
    },
    {
      id: 'hf-sequence-classifier',
      exporter:
        'Hugging Face sequence classifier via optimum / torch.onnx.export (input_ids, attention_mask, logits)',
      bytes: transformer(),
      model: { inputs: { input_ids: tokens('t'), attention_mask: tokens('m') } },
      benchmarkInputs: {
        input_ids: { shape: ['batch', TOKENS], values: { range: [0, VOCABULARY - 1] } },
        attention_mask: { shape: ['batch', TOKENS], values: { constant: 1 } },
      },
      expected: runs,
    },
    {
      id: 'cnn',
      exporter: 'torch.onnx.export of a CNN over [batch_size, 3, 8, 8] images',
      bytes: cnn(),
      expected: {
        contract: 'fail',
        benchmark: 'runs',
        fairness: {
          refused:
            /input input \[batch_size, 3, 8, 8\] has rank 4: only \[N, k\] and \[N\] inputs can be fed from dataset columns/,
        },
      },
    },
  ];
}

/** Columns of the corpus dataset that the tabular mapping above uses, with their schema types. */
export const CORPUS_COLUMNS: Record<string, 'number' | 'integer' | 'string' | 'boolean'> = {
  f0: 'number',
  f1: 'number',
  f2: 'number',
  f3: 'number',
  cat: 'string',
  age: 'integer',
  member: 'boolean',
  ...Object.fromEntries(tokens('t').map((name) => [name, 'integer'])),
  ...Object.fromEntries(tokens('m').map((name) => [name, 'integer'])),
  group: 'string',
  label: 'integer',
};

/** A deterministic dataset every corpus model can be scored on: CSV text and its data contract. */
export function corpusDataset(rows = 240): { csv: string; schema: string } {
  const random = createRandom(2024);
  const normal = () => {
    // Box-Muller: features near a standard normal, so the stumps' zero thresholds split them evenly.
    const u = Math.max(random.next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
  };
  const names = Object.keys(CORPUS_COLUMNS);
  const lines = [names.join(',')];
  for (let row = 0; row < rows; row++) {
    const features = WEIGHTS.map(() => Number(normal().toFixed(3)));
    const category = CATEGORIES[row % CATEGORIES.length]!;
    const margin =
      features.reduce((sum, value, i) => sum + value * WEIGHTS[i]!, BIAS) +
      CATEGORY_WEIGHTS[CATEGORIES.indexOf(category)]!;
    const label = random.next() < 1 / (1 + Math.exp(-2 * margin)) ? 1 : 0;
    const values: Record<string, string | number | boolean> = {
      f0: features[0]!,
      f1: features[1]!,
      f2: features[2]!,
      f3: features[3]!,
      cat: category,
      age: 20 + Math.floor(random.next() * 50),
      member: random.next() < 0.5,
      group: row % 2 === 0 ? 'x' : 'y',
      label,
    };
    const length = 3 + Math.floor(random.next() * (TOKENS - 2));
    for (let i = 0; i < TOKENS; i++) {
      values[`t${i}`] = i < length ? 1 + Math.floor(random.next() * (VOCABULARY - 1)) : 0;
      values[`m${i}`] = i < length ? 1 : 0;
    }
    lines.push(names.map((name) => String(values[name])).join(','));
  }
  const schema = `columns:\n${names.map((name) => `  ${name}: { type: ${CORPUS_COLUMNS[name]} }`).join('\n')}\n`;
  return { csv: `${lines.join('\n')}\n`, schema };
}
