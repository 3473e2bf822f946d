/**
 * The part of tfjs-node's NodeJSKernelBackend that runmedic's own native kernels use (public methods), so a kernel
 * can run one TensorFlow op by name with its dtype attribute.
 */
import * as tf from '@tensorflow/tfjs';

type OpAttr = { name: string; type: number; value: number };

export interface NativeBackend {
  binding: { TF_ATTR_TYPE: number };
  getDTypeInteger(dtype: tf.DataType): number;
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: tf.TensorInfo[]): tf.Tensor;
  executeMultipleOutputs(name: string, attrs: OpAttr[], inputs: tf.TensorInfo[], numOutputs: number): tf.Tensor[];
}

/** The `T` attribute TensorFlow's typed ops take. */
function dtypeAttr(b: NativeBackend, dtype: tf.DataType): OpAttr[] {
  return [{ name: 'T', type: b.binding.TF_ATTR_TYPE, value: b.getDTypeInteger(dtype) }];
}

/**
 * Registers tfjs kernel `kernelName` on tfjs-node as TensorFlow op `tfOp` run on the kernel's inputs in the order
 * `inputNames`, typed by the first input's dtype; one output is returned as a tensor, several as a list.
 */
export function registerNativeKernel(kernelName: string, tfOp: string, inputNames: readonly string[], outputs = 1): void {
  tf.registerKernel({
    kernelName,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend }) => {
      const b = backend as unknown as NativeBackend;
      const args = inputNames.map((n) => (inputs as Record<string, tf.TensorInfo>)[n]!);
      const attrs = dtypeAttr(b, args[0]!.dtype);
      return outputs === 1 ? b.executeSingleOutput(tfOp, attrs, args) : b.executeMultipleOutputs(tfOp, attrs, args, outputs);
    },
  });
}
