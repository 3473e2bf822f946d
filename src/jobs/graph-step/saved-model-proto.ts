/**
 * Just enough of TensorFlow's protobuf schema to write a SavedModel whose one MetaGraph holds a GraphDef and a
 * SignatureDef (tensorflow/core/protobuf/saved_model.proto, meta_graph.proto; core/framework/graph.proto,
 * node_def.proto, attr_value.proto, tensor.proto, tensor_shape.proto, types.proto). Field numbers are TensorFlow's;
 * fields runmedic never writes are left out, which protobuf allows.
 */
import protobuf from 'protobufjs';

/** TensorFlow's DataType enum values used here. */
export const DT = { float: 1, int32: 3, int64: 9, bool: 10 } as const;
export type DType = keyof typeof DT;

const shapeMessage = { fields: { dim: { rule: 'repeated', type: 'Dim', id: 2 }, unknownRank: { type: 'bool', id: 3 } }, nested: { Dim: { fields: { size: { type: 'int64', id: 1 } } } } };

/** protobufjs' JSON form of the messages (its typings do not tell map fields, with keyType, from plain ones). */
const schema = {
  nested: {
    tf: {
      nested: {
        TensorShapeProto: shapeMessage,
        TensorProto: {
          fields: {
            dtype: { type: 'int32', id: 1 },
            tensorShape: { type: 'TensorShapeProto', id: 2 },
            tensorContent: { type: 'bytes', id: 4 },
          },
        },
        ListValue: {
          fields: {
            s: { rule: 'repeated', type: 'bytes', id: 2 },
            i: { rule: 'repeated', type: 'int64', id: 3, options: { packed: true } },
            f: { rule: 'repeated', type: 'float', id: 4, options: { packed: true } },
            type: { rule: 'repeated', type: 'int32', id: 6, options: { packed: true } },
          },
        },
        AttrValue: {
          oneofs: { value: { oneof: ['list', 's', 'i', 'f', 'b', 'type', 'shape', 'tensor'] } },
          fields: {
            list: { type: 'ListValue', id: 1 },
            s: { type: 'bytes', id: 2 },
            i: { type: 'int64', id: 3 },
            f: { type: 'float', id: 4 },
            b: { type: 'bool', id: 5 },
            type: { type: 'int32', id: 6 },
            shape: { type: 'TensorShapeProto', id: 7 },
            tensor: { type: 'TensorProto', id: 8 },
          },
        },
        NodeDef: {
          fields: {
            name: { type: 'string', id: 1 },
            op: { type: 'string', id: 2 },
            input: { rule: 'repeated', type: 'string', id: 3 },
            attr: { keyType: 'string', type: 'AttrValue', id: 5 },
          },
        },
        VersionDef: { fields: { producer: { type: 'int32', id: 1 }, minConsumer: { type: 'int32', id: 2 } } },
        GraphDef: { fields: { node: { rule: 'repeated', type: 'NodeDef', id: 1 }, versions: { type: 'VersionDef', id: 4 } } },
        TensorInfo: { fields: { name: { type: 'string', id: 1 }, dtype: { type: 'int32', id: 2 }, tensorShape: { type: 'TensorShapeProto', id: 3 } } },
        SignatureDef: {
          fields: {
            inputs: { keyType: 'string', type: 'TensorInfo', id: 1 },
            outputs: { keyType: 'string', type: 'TensorInfo', id: 2 },
            methodName: { type: 'string', id: 3 },
          },
        },
        MetaInfoDef: { fields: { metaGraphVersion: { type: 'string', id: 1 }, tags: { rule: 'repeated', type: 'string', id: 4 } } },
        MetaGraphDef: {
          fields: {
            metaInfoDef: { type: 'MetaInfoDef', id: 1 },
            graphDef: { type: 'GraphDef', id: 2 },
            signatureDef: { keyType: 'string', type: 'SignatureDef', id: 5 },
          },
        },
        SavedModel: { fields: { savedModelSchemaVersion: { type: 'int64', id: 1 }, metaGraphs: { rule: 'repeated', type: 'MetaGraphDef', id: 2 } } },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(schema as unknown as protobuf.INamespace);

export const SavedModelMessage = root.lookupType('tf.SavedModel');

/** An attribute value as the graph builder writes it (protobufjs' plain-object form of AttrValue). */
export type AttrValue =
  | { s: Uint8Array }
  | { i: number }
  | { f: number }
  | { b: boolean }
  | { type: number }
  | { shape: ShapeProto }
  | { tensor: { dtype: number; tensorShape: ShapeProto; tensorContent: Uint8Array } }
  | { list: { s?: Uint8Array[]; i?: number[]; f?: number[]; type?: number[] } };

export interface ShapeProto {
  dim?: { size: number }[];
  unknownRank?: boolean;
}

export interface NodeDefObject {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, AttrValue>;
}

export interface TensorInfoObject {
  name: string;
  dtype: number;
  tensorShape: ShapeProto;
}

/** A shape with -1 for an unknown dimension. */
export function shapeProto(dims: readonly number[]): ShapeProto {
  return { dim: dims.map((size) => ({ size })) };
}

/**
 * The bytes of saved_model.pb for one graph, tagged `tags`, with one signature. The graph claims an old producer
 * version (TensorFlow 2.9's era, the libtensorflow tfjs-node downloads): every runtime since accepts it, and no op
 * used here was deprecated before it.
 */
export function encodeSavedModel(nodes: NodeDefObject[], signature: { key: string; inputs: Record<string, TensorInfoObject>; outputs: Record<string, TensorInfoObject> }, tags: string[]): Uint8Array {
  const message = SavedModelMessage.fromObject({
    savedModelSchemaVersion: 1,
    metaGraphs: [
      {
        metaInfoDef: { metaGraphVersion: 'runmedic', tags },
        graphDef: { node: nodes, versions: { producer: 1087, minConsumer: 0 } },
        signatureDef: { [signature.key]: { inputs: signature.inputs, outputs: signature.outputs, methodName: 'tensorflow/serving/predict' } },
      },
    ],
  });
  return SavedModelMessage.encode(message).finish();
}
