/**
 * The wasm backend ships Conv2D and Conv2DBackpropInput but no Conv2DBackpropFilter, so no convolutional model can
 * train there. This registers that kernel for wasm: the filter gradient is im2col(x)ᵀ · dy, the patch matrix
 * [kh·kw·Cin, B·outH·outW] times dy reshaped to [B·outH·outW, Cout]. It also routes stride-1 input gradients
 * through the forward convolution with the flipped filter, which wasm runs much faster than its own backprop kernel.
 * Registering a kernel (not overriding the Conv2D gradient) also covers fused.conv2d, whose own gradient calls
 * conv2DBackpropFilter directly.
 */
import * as tf from '@tensorflow/tfjs';

interface BackpropFilterAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

/**
 * dW for a 2-D convolution with dilation 1.
 * x: [B, H, W, Cin] (NHWC), dy: [B, outH, outW, Cout]; returns [kh, kw, Cin, Cout].
 * The patch matrix is built in JS already transposed, [kh·kw·Cin, B·outH·outW], because wasm's matMul with
 * transposeA is several times slower than a plain one, and its slice/stack kernels slower still than this loop.
 */
export function conv2dFilterGradIm2col(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: [number, number] | number,
  pad: BackpropFilterAttrs['pad'],
  dimRoundingMode?: BackpropFilterAttrs['dimRoundingMode'],
): tf.Tensor4D {
  const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const [kh, kw, cin, cout] = filterShape;
  const { top, left } = info.padInfo;
  const { outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw, batchSize: nb, inHeight: h, inWidth: w } = info;
  const xv = x.dataSync() as Float32Array;
  const rows = nb * oh * ow;
  const patchesT = new Float32Array(kh * kw * cin * rows); // zeros where the window hangs over the padding
  for (let p = 0; p < kh; p++) {
    for (let q = 0; q < kw; q++) {
      const kBase = (p * kw + q) * cin;
      for (let b = 0; b < nb; b++) {
        for (let i = 0; i < oh; i++) {
          const ii = i * sh + p - top;
          if (ii < 0 || ii >= h) continue;
          for (let j = 0; j < ow; j++) {
            const jj = j * sw + q - left;
            if (jj < 0 || jj >= w) continue;
            const r = (b * oh + i) * ow + j;
            const src = ((b * h + ii) * w + jj) * cin;
            for (let c = 0; c < cin; c++) patchesT[(kBase + c) * rows + r] = xv[src + c]!;
          }
        }
      }
    }
  }
  return tf.tidy(() => {
    const dyMat = tf.reshape(dy, [rows, cout]) as tf.Tensor2D;
    return tf.reshape(tf.matMul(tf.tensor2d(patchesT, [kh * kw * cin, rows]), dyMat), [kh, kw, cin, cout]) as tf.Tensor4D;
  });
}

interface BackpropInputAttrs {
  strides: [number, number] | number;
  pad: BackpropFilterAttrs['pad'];
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: BackpropFilterAttrs['dimRoundingMode'];
  inputShape: [number, number, number, number];
}

/**
 * dx for a stride-1 convolution as a forward convolution of dy with the spatially flipped filter (in/out channels
 * swapped), padded kh−1−top / kw−1−left: wasm's forward Conv2D is several times faster than its Conv2DBackpropInput.
 * Returns null when the shortcut does not apply (strides, NCHW, padding wider than the kernel).
 */
export function conv2dInputGradFlipped(dy: tf.Tensor4D, filter: tf.Tensor4D, a: BackpropInputAttrs): tf.Tensor4D | null {
  if (a.dataFormat === 'NCHW') return null;
  const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  if (info.strideHeight !== 1 || info.strideWidth !== 1) return null;
  const [kh, kw] = filter.shape;
  const { top, bottom, left, right } = info.padInfo;
  const pads = [kh - 1 - top, kh - 1 - bottom, kw - 1 - left, kw - 1 - right];
  if (pads.some((p) => p < 0)) return null;
  return tf.tidy(() => {
    const flipped = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
    return tf.conv2d(dy, flipped, 1, [[0, 0], [pads[0]!, pads[1]!], [pads[2]!, pads[3]!], [0, 0]]);
  });
}

let registered = false;

/** Idempotent; call after the wasm backend is registered (it only touches the kernel registry). */
export function registerWasmConv2dBackpropFilter(): void {
  if (registered || tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) {
    registered = true;
    return;
  }
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs }) => {
      const { x, dy } = inputs as { x: tf.Tensor4D; dy: tf.Tensor4D };
      const a = attrs as unknown as BackpropFilterAttrs;
      if (a.dataFormat === 'NCHW') {
        return tf.tidy(() => {
          const xt = tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
          const dyt = tf.transpose(dy, [0, 2, 3, 1]) as tf.Tensor4D;
          return conv2dFilterGradIm2col(xt, dyt, a.filterShape, a.strides, a.pad, a.dimRoundingMode);
        });
      }
      // The engine passes a returned Tensor through as the kernel's output (it has a rank).
      return conv2dFilterGradIm2col(x, dy, a.filterShape, a.strides, a.pad, a.dimRoundingMode);
    },
  });
  const stockInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (stockInput) {
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel({
      ...stockInput,
      kernelFunc: (args) => {
        const { dy, filter } = args.inputs as { dy: tf.Tensor4D; filter: tf.Tensor4D };
        return conv2dInputGradFlipped(dy, filter, args.attrs as unknown as BackpropInputAttrs) ?? stockInput.kernelFunc(args);
      },
    });
  }
  registered = true;
}
