/**
 * A faster ReLU gradient on the tfjs-node backend, for the steps tfjs runs op by op (the graph step, see
 * graph-step/, uses TensorFlow's gradient kernels directly). tfjs computes `dy * cast(step(x))`, and tfjs-node
 * builds `step` out of IsNan, Greater, two full-size Fills and two Selects: eight kernels streaming the activation
 * tensor, about 7 ms of a ~27 ms seed-CNN batch. TensorFlow's own `ReluGrad(dy, x) = dy · [x > 0]` is the same
 * function in one kernel (0.7 ms).
 *
 * Max pooling keeps tfjs' gradient (TensorFlow's MaxPoolGrad), which gives a window's gradient to its first
 * maximum. An earlier rewrite routed it to every position equal to the maximum, assuming ties occur only where the
 * activation is flat; on MNIST they do not: a 3×3 convolution over a saturated stroke gives equal positive values,
 * and the rewrite inflated the first layer's gradient (found by comparing with the graph step).
 *
 * Applies only while tfjs-node is the active backend. Registration replaces the gradient for the whole process
 * (tfjs keeps one gradient registry).
 */
import * as tf from '@tensorflow/tfjs';
import { registerNativeKernel } from './native-backend.ts';

const RELU_GRAD_KERNEL = 'RunmedicNativeReluGrad';

let registered = false;

/** Call once tfjs-node is loaded; idempotent. */
export function registerNativeGradients(): void {
  if (registered) return;
  registered = true;
  const tfjsRelu = tf.getGradient('Relu');
  if (!tfjsRelu) throw new Error('tfjs has no ReLU gradient to fall back on');
  const native = () => tf.getBackend() === 'tensorflow';

  registerNativeKernel(RELU_GRAD_KERNEL, 'ReluGrad', ['dy', 'x']);
  tf.registerGradient({
    ...tfjsRelu,
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved as [tf.Tensor];
      if (!native() || x.dtype !== 'float32') return tfjsRelu.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(RELU_GRAD_KERNEL, { dy: dy as tf.Tensor, x }, {}) as tf.Tensor };
    },
  });
}
