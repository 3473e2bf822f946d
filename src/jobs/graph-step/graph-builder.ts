/**
 * Builds a TensorFlow GraphDef node by node (pure: no TensorFlow needed to build or encode it). A tensor is referred
 * to as TensorFlow does in node inputs: "node" for output 0, "node:k" for output k.
 */
import { DT, shapeProto, type AttrValue, type DType, type NodeDefObject, type TensorInfoObject } from './saved-model-proto.ts';

export type TensorRef = string;

const enc = new TextEncoder();

/** Attribute helpers in the shape the encoder takes. */
export const attr = {
  type: (d: DType): AttrValue => ({ type: DT[d] }),
  s: (v: string): AttrValue => ({ s: enc.encode(v) }),
  i: (v: number): AttrValue => ({ i: v }),
  f: (v: number): AttrValue => ({ f: v }),
  b: (v: boolean): AttrValue => ({ b: v }),
  ints: (v: number[]): AttrValue => ({ list: { i: v } }),
  shape: (dims: readonly number[]): AttrValue => ({ shape: shapeProto(dims) }),
};

export class GraphBuilder {
  readonly nodes: NodeDefObject[] = [];
  private readonly names = new Set<string>();
  private readonly counters = new Map<string, number>();
  readonly inputs: Record<string, TensorInfoObject> = {};
  readonly outputs: Record<string, TensorInfoObject> = {};

  private unique(base: string): string {
    let name = base;
    while (this.names.has(name)) {
      const k = (this.counters.get(base) ?? 0) + 1;
      this.counters.set(base, k);
      name = `${base}_${k}`;
    }
    this.names.add(name);
    return name;
  }

  /** Adds a node and returns its first output. */
  op(op: string, inputs: TensorRef[], attrs: Record<string, AttrValue> = {}, name: string = op): TensorRef {
    const unique = this.unique(name);
    this.nodes.push({ name: unique, op, input: inputs, attr: attrs });
    return unique;
  }

  /** A float32 op of one type attribute T (most arithmetic). */
  f32(op: string, inputs: TensorRef[], attrs: Record<string, AttrValue> = {}, name?: string): TensorRef {
    return this.op(op, inputs, { T: attr.type('float'), ...attrs }, name);
  }

  /** A signature input: a Placeholder of this dtype and shape (-1 for the batch dimension). */
  placeholder(key: string, dtype: DType, shape: readonly number[]): TensorRef {
    const name = this.op('Placeholder', [], { dtype: attr.type(dtype), shape: attr.shape(shape) }, key);
    this.inputs[key] = { name: `${name}:0`, dtype: DT[dtype], tensorShape: shapeProto(shape) };
    return name;
  }

  /** Marks a tensor as a signature output. */
  output(key: string, ref: TensorRef, dtype: DType, shape: readonly number[]): void {
    this.outputs[key] = { name: ref.includes(':') ? ref : `${ref}:0`, dtype: DT[dtype], tensorShape: shapeProto(shape) };
  }

  constF32(values: readonly number[] | number, shape: readonly number[] = typeof values === 'number' ? [] : [values.length]): TensorRef {
    const data = Float32Array.from(typeof values === 'number' ? [values] : values);
    return this.op('Const', [], { dtype: attr.type('float'), value: { tensor: { dtype: DT.float, tensorShape: shapeProto(shape), tensorContent: new Uint8Array(data.buffer) } } }, 'const');
  }

  constI32(values: readonly number[] | number, shape: readonly number[] = typeof values === 'number' ? [] : [values.length]): TensorRef {
    const data = Int32Array.from(typeof values === 'number' ? [values] : values);
    return this.op('Const', [], { dtype: attr.type('int32'), value: { tensor: { dtype: DT.int32, tensorShape: shapeProto(shape), tensorContent: new Uint8Array(data.buffer) } } }, 'const');
  }

  // Arithmetic on float32 tensors (broadcasting as TensorFlow does).
  add(a: TensorRef, b: TensorRef): TensorRef {
    return this.f32('AddV2', [a, b]);
  }
  sub(a: TensorRef, b: TensorRef): TensorRef {
    return this.f32('Sub', [a, b]);
  }
  mul(a: TensorRef, b: TensorRef): TensorRef {
    return this.f32('Mul', [a, b]);
  }
  div(a: TensorRef, b: TensorRef): TensorRef {
    return this.f32('RealDiv', [a, b]);
  }
  square(a: TensorRef): TensorRef {
    return this.f32('Square', [a]);
  }
  sqrt(a: TensorRef): TensorRef {
    return this.f32('Sqrt', [a]);
  }
  /** Sum of every element: a scalar. */
  sumAll(a: TensorRef, rank: number): TensorRef {
    return this.f32('Sum', [a, this.constI32(Array.from({ length: rank }, (_, i) => i))], { Tidx: attr.type('int32'), keep_dims: attr.b(false) });
  }
  reshape(a: TensorRef, shape: TensorRef): TensorRef {
    return this.f32('Reshape', [a, shape], { Tshape: attr.type('int32') });
  }
  shapeOf(a: TensorRef): TensorRef {
    return this.f32('Shape', [a], { out_type: attr.type('int32') });
  }
  cast(a: TensorRef, from: DType, to: DType): TensorRef {
    return this.op('Cast', [a], { SrcT: attr.type(from), DstT: attr.type(to), Truncate: attr.b(false) });
  }
  /** Float32 tensors joined along `axis`. */
  concat(parts: TensorRef[], axis: number): TensorRef {
    return this.f32('ConcatV2', [...parts, this.constI32(axis)], { N: attr.i(parts.length), Tidx: attr.type('int32') });
  }
  /** Float32 scalars stacked into a vector. */
  pack(parts: TensorRef[]): TensorRef {
    return this.f32('Pack', parts, { N: attr.i(parts.length), axis: attr.i(0) });
  }
}
