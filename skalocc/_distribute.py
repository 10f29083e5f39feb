"""Training under a ``tf.distribute`` strategy (``distribution_strategy``).

``ALOCCDetector(distribution_strategy=...)`` builds R, D, their optimizers and
the trainer inside ``strategy.scope()``; Keras' ``fit`` then splits every
batch across the replicas and all-reduces the gradients by summing them.
:func:`global_batch_loss` turns a replica's loss into its share of the loss of
the whole batch, so that the summed gradient is the gradient of the batch
mean, as without a strategy.

Scoring never uses the strategy: the fitted networks are copied into plain
float64 models at the end of ``fit``.
"""

from __future__ import annotations

import contextlib

from skalocc._backend import tf_keras

tf, keras = tf_keras()
ops = keras.ops

STRATEGY_NAMES = ("mirrored",)


def resolve_strategy(strategy):
    """Return the ``tf.distribute.Strategy`` for the estimator's parameter.

    Parameters
    ----------
    strategy : None, "mirrored" or tf.distribute.Strategy
        None trains without a strategy. "mirrored" builds a
        ``tf.distribute.MirroredStrategy`` over all local GPUs, or over all
        logical CPU devices when there is no GPU. A strategy object is used
        as it is.

    Returns
    -------
    strategy : tf.distribute.Strategy or None
    """
    if strategy is None:
        return None
    if isinstance(strategy, str):
        if strategy == "mirrored":
            return tf.distribute.MirroredStrategy()
        raise ValueError(f"Unknown distribution strategy {strategy!r}.")  # pragma: no cover
    if not isinstance(strategy, tf.distribute.Strategy):
        raise TypeError(
            "The 'distribution_strategy' parameter of ALOCCDetector must be None, "
            f"one of {STRATEGY_NAMES} or a tf.distribute.Strategy. Got {strategy!r} instead."
        )
    return strategy


def strategy_scope(strategy):
    """``strategy.scope()``, or a no-op context when ``strategy`` is None."""
    return contextlib.nullcontext() if strategy is None else strategy.scope()


def global_batch_loss(per_sample):
    """Mean of ``per_sample`` losses over the whole (global) batch, replica's share.

    Without a strategy this is ``mean(per_sample)``. Under a strategy each
    replica sees a slice of the batch and the replicas'
    gradients are summed, so each replica returns ``sum(per_sample) / n``
    with ``n`` the number of samples over all replicas (all-reduced here,
    so uneven or empty slices of the last batch are weighted correctly).

    Parameters
    ----------
    per_sample : tensor of shape (n_slice,)
        One loss value per sample of this replica's slice of the batch.

    Returns
    -------
    loss : scalar tensor
    """
    # No cross-replica op at all without a strategy: the default replica
    # context's all-reduce registers a gradient function that leaks every
    # traced step (see skalocc._training._Adam).
    if not tf.distribute.has_strategy():
        return ops.mean(per_sample)
    context = tf.distribute.get_replica_context()
    n_total = context.all_reduce(
        tf.distribute.ReduceOp.SUM, ops.cast(ops.shape(per_sample)[0], per_sample.dtype)
    )
    return ops.sum(per_sample) / ops.maximum(n_total, 1.0)
