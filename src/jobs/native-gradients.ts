/**
 * Faster gradients for the two layers where tfjs' generic gradient is slow on the tfjs-node backend. Measured on
 * the seed CNN, one batch of 32 (bench/train, 2-core EPYC): the whole training step took about 27 ms, of which
 *
 * - ReLU: tfjs computes `dy * cast(step(x))`, and tfjs-node builds `step` out of IsNan, Greater, two full-size Fills
 *   and two Selects (eight kernels streaming the activation tensor): about 7 ms. TensorFlow's own
 *   `ReluGrad(dy, x) = dy · [x > 0]` is the same function in one kernel (0.7 ms).
 * - 2×2 max pooling: TensorFlow's CPU MaxPoolGrad recomputes the pooling with argmax, single-threaded: 4.7 ms for
 *   the first pool, 2.3 ms for the second. Routing `dy` to the positions equal to their window's max, through
 *   reshapes and one broadcast compare, takes 0.8 ms. It differs from MaxPoolGrad only on exact ties inside a window
 *   (MaxPoolGrad gives `dy` to the first, this to each): in these networks pooling follows an activation, and there
 *   ties happen where the activation is flat (ReLU's 0, sigmoid's and tanh's saturation), whose own gradient is 0.
 *
 * Both apply only while tfjs-node is the active backend; otherwise, and for other pooling shapes, tfjs' own
 * gradient runs. Registration replaces the gradient for the whole process (tfjs keeps one gradient registry).
 */
import * as tf from '@tensorflow/tfjs';
import { dtypeAttr, type NativeBackend } from './native-backend.ts';

const RELU_GRAD_KERNEL = 'RunmedicNativeReluGrad';

let registered = false;

/** Call once tfjs-node is loaded; idempotent. */
export function registerNativeGradients(): void {
  if (registered) return;
  registered = true;
  const tfjsRelu = tf.getGradient('Relu');
  const tfjsMaxPool = tf.getGradient('MaxPool');
  if (!tfjsRelu || !tfjsMaxPool) throw new Error('tfjs has no ReLU or MaxPool gradient to fall back on');
  const native = () => tf.getBackend() === 'tensorflow';

  tf.registerKernel({
    kernelName: RELU_GRAD_KERNEL,
    backendName: 'tensorflow',
    kernelFunc: ({ inputs, backend }) => {
      const { dy, x } = inputs as { dy: tf.TensorInfo; x: tf.TensorInfo };
      const b = backend as unknown as NativeBackend;
      return b.executeSingleOutput('ReluGrad', dtypeAttr(b, x.dtype), [dy, x]);
    },
  });
  tf.registerGradient({
    ...tfjsRelu,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      if (!native() || x.dtype !== 'float32') return tfjsRelu.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: dy as tf.Tensor, x }, {}) as tf.Tensor };
    },
  });

  tf.registerGradient({
    ...tfjsMaxPool,
    gradFunc: (dy, saved, attrs) => {
      const [x, y] = saved as [tf.Tensor4D, tf.Tensor4D];
      const { filterSize, strides, pad } = attrs as unknown as { filterSize: number | [number, number]; strides: number | [number, number]; pad: unknown };
      const two = (v: number | [number, number]) => (Array.isArray(v) ? v[0] === 2 && v[1] === 2 : v === 2);
      const [n, h, w, c] = x.shape;
      // 'same' padding adds nothing when the sides are even.
      const fits = two(filterSize) && two(strides) && (pad === 'valid' || pad === 'same') && h % 2 === 0 && w % 2 === 0;
      if (!native() || !fits || Array.isArray(dy)) return tfjsMaxPool.gradFunc(dy, saved, attrs);
      return {
        x: () => {
          const windows = tf.reshape(x, [n, h / 2, 2, w / 2, 2, c]);
          const isMax = tf.equal(windows, tf.reshape(y, [n, h / 2, 1, w / 2, 1, c]));
          const routed = tf.mul(tf.cast(isMax, 'float32'), tf.reshape(dy, [n, h / 2, 1, w / 2, 1, c]));
          return tf.reshape(routed, [n, h, w, c]);
        },
      };
    },
  });
}
