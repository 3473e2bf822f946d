/**
 * The part of tfjs-node's NodeJSKernelBackend that runmedic's own native kernels use (public methods), so a kernel
 * can run one TensorFlow op by name with its dtype attribute.
 */
import type * as tf from '@tensorflow/tfjs';

type OpAttr = { name: string; type: number; value: number };

export interface NativeBackend {
  binding: { TF_ATTR_TYPE: number };
  getDTypeInteger(dtype: tf.DataType): number;
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: tf.TensorInfo[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: OpAttr[], inputs: tf.TensorInfo[], numOutputs: number): tf.Tensor[];
}

/** The `T` attribute TensorFlow's typed ops take. */
export function dtypeAttr(b: NativeBackend, dtype: tf.DataType): OpAttr[] {
  return [{ name: 'T', type: b.binding.TF_ATTR_TYPE, value: b.getDTypeInteger(dtype) }];
}
