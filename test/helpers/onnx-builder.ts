/**
 * Writes small ONNX models for tests (the protobuf of onnx.proto by hand: the fields used here
 * only), so a test can hand onnxruntime a model of a given input/output shape whose answer it
 * knows. Opset 13, IR version 7.
 */
type Bytes = number[];

function varint(value: number | bigint): Bytes {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: Bytes = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) byte |= 0x80;
    out.push(byte);
  } while (v !== 0n);
  return out;
}

const key = (field: number, wire: number): Bytes => varint((field << 3) | wire);
const int = (field: number, value: number | bigint): Bytes => [...key(field, 0), ...varint(value)];
const bytes = (field: number, data: Bytes | Uint8Array): Bytes => [
  ...key(field, 2),
  ...varint(data.length),
  ...data,
];
const text = (field: number, value: string): Bytes => bytes(field, [...Buffer.from(value)]);
const float = (field: number, value: number): Bytes => {
  const buffer = Buffer.alloc(4);
  buffer.writeFloatLE(value);
  return [...key(field, 5), ...buffer];
};

const FLOAT = 1;
const INT64 = 7;

/** A dimension: a number, or a name for a free one (`batch`). */
export type Dim = number | string;

export interface OnnxTensor {
  name: string;
  type: 'float' | 'int64';
  dims: number[];
  values: number[];
}

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, number | number[]>;
}

export interface OnnxGraph {
  inputs: { name: string; dims: Dim[] }[];
  outputs: { name: string; dims: Dim[] }[];
  initializers?: OnnxTensor[];
  nodes: OnnxNode[];
}

function valueInfo(name: string, dims: Dim[]): Bytes {
  const shape = dims.flatMap((dim) =>
    bytes(1, typeof dim === 'number' ? int(1, dim) : text(2, dim)),
  );
  const tensorType = [...int(1, FLOAT), ...bytes(2, shape)];
  return [...text(1, name), ...bytes(2, bytes(1, tensorType))];
}

function tensor(t: OnnxTensor): Bytes {
  const raw = Buffer.alloc(t.values.length * (t.type === 'float' ? 4 : 8));
  t.values.forEach((v, i) =>
    t.type === 'float' ? raw.writeFloatLE(v, i * 4) : raw.writeBigInt64LE(BigInt(v), i * 8),
  );
  return [
    ...t.dims.flatMap((d) => int(1, d)),
    ...int(2, t.type === 'float' ? FLOAT : INT64),
    ...text(8, t.name),
    ...bytes(9, raw),
  ];
}

function attribute(name: string, value: number | number[]): Bytes {
  if (Array.isArray(value)) {
    return [...text(1, name), ...value.flatMap((v) => int(8, v)), ...int(20, 7)];
  }
  return Number.isInteger(value)
    ? [...text(1, name), ...int(3, value), ...int(20, 2)]
    : [...text(1, name), ...float(2, value), ...int(20, 1)];
}

function node(n: OnnxNode, index: number): Bytes {
  return [
    ...n.inputs.flatMap((input) => text(1, input)),
    ...n.outputs.flatMap((output) => text(2, output)),
    ...text(3, `${n.op.toLowerCase()}_${index}`),
    ...text(4, n.op),
    ...Object.entries(n.attributes ?? {}).flatMap(([name, value]) =>
      bytes(5, attribute(name, value)),
    ),
  ];
}

/** The serialized ModelProto of a graph. */
export function onnxModel(graph: OnnxGraph): Buffer {
  const body = [
    ...graph.nodes.flatMap((n, i) => bytes(1, node(n, i))),
    ...text(2, 'test-graph'),
    ...(graph.initializers ?? []).flatMap((t) => bytes(5, tensor(t))),
    ...graph.inputs.flatMap((i) => bytes(11, valueInfo(i.name, i.dims))),
    ...graph.outputs.flatMap((o) => bytes(12, valueInfo(o.name, o.dims))),
  ];
  return Buffer.from([
    ...int(1, 7),
    ...text(2, 'realtime-stt tests'),
    ...bytes(7, body),
    ...bytes(8, [...text(1, ''), ...int(2, 13)]),
  ]);
}

/**
 * A model in Smart Turn v3's shape ([batch, 80, 800] -> [batch, 1]) that answers `probability`
 * whatever the audio: Sigmoid(0 x mean(features) + logit(probability)).
 */
export function constantTurnModel(probability: number): Buffer {
  const logit = Math.log(probability / (1 - probability));
  return onnxModel({
    inputs: [{ name: 'input_features', dims: ['batch', 80, 800] }],
    outputs: [{ name: 'logits', dims: ['batch', 1] }],
    initializers: [
      { name: 'zero', type: 'float', dims: [], values: [0] },
      { name: 'bias', type: 'float', dims: [], values: [logit] },
      { name: 'shape', type: 'int64', dims: [2], values: [-1, 1] },
    ],
    nodes: [
      {
        op: 'ReduceMean',
        inputs: ['input_features'],
        outputs: ['mean'],
        attributes: { axes: [1, 2], keepdims: 1 },
      },
      { op: 'Mul', inputs: ['mean', 'zero'], outputs: ['zeroed'] },
      { op: 'Add', inputs: ['zeroed', 'bias'], outputs: ['logit'] },
      { op: 'Reshape', inputs: ['logit', 'shape'], outputs: ['flat'] },
      { op: 'Sigmoid', inputs: ['flat'], outputs: ['logits'] },
    ],
  });
}

/** Smart Turn's shape, answering the feature at [mel, frame] (to check what the model is fed). */
export function featureProbeModel(mel: number, frame: number): Buffer {
  return onnxModel({
    inputs: [{ name: 'input_features', dims: ['batch', 80, 800] }],
    outputs: [{ name: 'logits', dims: ['batch', 1] }],
    initializers: [
      { name: 'starts', type: 'int64', dims: [2], values: [mel, frame] },
      { name: 'ends', type: 'int64', dims: [2], values: [mel + 1, frame + 1] },
      { name: 'axes', type: 'int64', dims: [2], values: [1, 2] },
      { name: 'shape', type: 'int64', dims: [2], values: [-1, 1] },
    ],
    nodes: [
      { op: 'Slice', inputs: ['input_features', 'starts', 'ends', 'axes'], outputs: ['cell'] },
      { op: 'Reshape', inputs: ['cell', 'shape'], outputs: ['logits'] },
    ],
  });
}
