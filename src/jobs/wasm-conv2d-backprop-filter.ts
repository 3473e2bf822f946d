/**
 * The wasm backend ships Conv2D and Conv2DBackpropInput but no Conv2DBackpropFilter, so no convolutional model can
 * train there. This registers that kernel for wasm, built from kernels wasm does have: the filter gradient is
 * im2col(x)ᵀ · dy, i.e. for every kernel offset (i, j) a strided slice of the padded input, stacked into a
 * [B·outH·outW, kh·kw·Cin] patch matrix, times dy reshaped to [B·outH·outW, Cout].
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
 */
export function conv2dFilterGradIm2col(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: [number, number] | number,
  pad: BackpropFilterAttrs['pad'],
  dimRoundingMode?: BackpropFilterAttrs['dimRoundingMode'],
): tf.Tensor4D {
  return tf.tidy(() => {
    const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const [kh, kw, cin, cout] = filterShape;
    const { top, bottom, left, right } = info.padInfo;
    const { outHeight, outWidth, strideHeight, strideWidth, batchSize } = info;
    const xp = top || bottom || left || right ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
    const cols: tf.Tensor4D[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        cols.push(
          tf.stridedSlice(
            xp,
            [0, i, j, 0],
            [batchSize, i + (outHeight - 1) * strideHeight + 1, j + (outWidth - 1) * strideWidth + 1, cin],
            [1, strideHeight, strideWidth, 1],
          ) as tf.Tensor4D,
        );
      }
    }
    const rows = batchSize * outHeight * outWidth;
    // [B, outH, outW, kh·kw, Cin]: row-major order matches the filter's [kh, kw, Cin] flattening.
    const patches = tf.reshape(tf.stack(cols, 3), [rows, kh * kw * cin]) as tf.Tensor2D;
    const dyMat = tf.reshape(dy, [rows, cout]) as tf.Tensor2D;
    return tf.reshape(tf.matMul(patches, dyMat, true, false), [kh, kw, cin, cout]) as tf.Tensor4D;
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
  registered = true;
}
