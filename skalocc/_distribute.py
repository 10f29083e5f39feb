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
    if isinstance(strategy, str):  # "mirrored", the one name the constraints allow
        return tf.distribute.MirroredStrategy()
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
    """This replica's share of the mean of ``per_sample`` over the whole batch.

    Without a strategy this is ``mean(per_sample)``. Under a strategy with
    ``R`` replicas each replica sees a slice of the batch and the replicas'
    gradients are summed, so each returns ``mean(per_sample) / R``: the sum
    over replicas is the batch mean when the slices are equal (an uneven last
    batch, e.g. 11 + 10 rows, weighs each replica's mean equally, as
    ``tf.nn.compute_average_loss`` does). No cross-replica op is involved, so
    the replicas' collective ops stay the gradient all-reduces alone.

    Parameters
    ----------
    per_sample : tensor of shape (n_slice,)
        One loss value per sample of this replica's slice of the batch.

    Returns
    -------
    loss : scalar tensor
    """
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    if replicas == 1:
        return ops.mean(per_sample)
    return ops.mean(per_sample) / replicas


def batch_mean(replica_loss):
    """The batch's mean loss from a replica's share of it (:func:`global_batch_loss`).

    Loss trackers average over replicas, so each replica records its share
    times the number of replicas; without a strategy this is the identity.
    """
    return replica_loss * tf.distribute.get_strategy().num_replicas_in_sync


def replica_normal(shape, *, stddev: float, seed_generator):
    """Gaussian noise of ``shape`` that differs between replicas.

    Every replica of a strategy advances its own copy of a
    ``keras.random.SeedGenerator`` in step with the others, so plain draws
    are the same on all replicas: the i-th sample of every replica's slice
    would get the same noise. Under a strategy with ``R`` replicas, ``R``
    draws are made and each replica keeps the one of its index. Without a
    strategy this is ``keras.random.normal(shape, ...)``.
    """
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    if replicas == 1:
        return keras.random.normal(shape, stddev=stddev, seed=seed_generator)
    draws = keras.random.normal((replicas, *shape), stddev=stddev, seed=seed_generator)
    replica = tf.distribute.get_replica_context().replica_id_in_sync_group
    return ops.take(draws, replica, axis=0)
