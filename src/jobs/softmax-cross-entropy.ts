/**
 * Mean softmax cross-entropy of a batch from logits, the loss of a softmax classifier trained on one-hot labels.
 *
 * On tfjs-node it is TensorFlow's SoftmaxCrossEntropyWithLogits: one kernel gives the per-example loss and its
 * gradient (softmax - labels), where tfjs composes log-sum-exp and its gradient from about 20 small ops (and
 * Keras-style categorical cross-entropy on softmax outputs from about 40). Elsewhere tf.losses.softmaxCrossEntropy.
 */
import * as tf from '@tensorflow/tfjs';
import { registerNativeKernel } from './native-backend.ts';

const KERNEL = 'RunmedicSoftmaxCrossEntropyWithLogits';

registerNativeKernel(KERNEL, 'SoftmaxCrossEntropyWithLogits', ['logits', 'labels'], 2);

/** labels: [batch, K] one-hot (or probabilities), logits: [batch, K] → scalar mean loss; differentiable in logits. */
export function softmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  if (tf.getBackend() !== 'tensorflow') return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  const batch = logits.shape[0]!;
  const f = tf.customGrad(((z: tf.Tensor, save: tf.GradSaveFunc) => {
    const [loss, backprop] = tf.engine().runKernel(KERNEL, { logits: z, labels }, {}) as tf.Tensor[];
    save([backprop!]);
    return {
      value: tf.div(tf.sum(loss!), batch) as tf.Scalar,
      // d(mean loss)/d logits = (softmax - labels) / batch, scaled by the upstream gradient.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(saved[0]!, tf.div(dy, batch)),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (z: tf.Tensor) => tf.Scalar;
  return f(logits) as tf.Scalar;
}
