"""Building and training R and D for ``fit``: one function, :func:`fit_networks`.

:func:`fit_networks` builds R and D (under a ``tf.distribute`` strategy when
asked), trains them adversarially (:mod:`skalocc._trainers`), optionally
refines D, and returns float64 copies (what the detector stores, pickles and
saves; scoring runs compiled float32 copies of them, :mod:`skalocc._compiled`). :func:`train` feeds
a trainer batches in an order drawn from the caller's seed and records a
plain-dict history; :class:`EpochMonitor` checks losses, evaluates the
paper's stopping rule and raises a clear error if training diverges.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

import numpy as np

from skalocc._backend import retracing_warnings_dropped, tf_keras
from skalocc._distribute import resolve_strategy, strategy_scope
from skalocc._networks import build_discriminator, build_reconstructor, float64_copy, keras_clone
from skalocc._pseudo import PseudoAnomalies
from skalocc._scoring import reconstruction_errors
from skalocc._trainers import make_refiner, make_trainer
from skalocc.exceptions import TrainingDivergedError

tf, keras = tf_keras()

# Training steps that epochs="auto" guarantees, however small the data set.
AUTO_MIN_STEPS = 1000
AUTO_MIN_EPOCHS = 10


def resolve_epochs(epochs: int | str, n_samples: int, batch_size: int) -> int:
    """Resolve ``epochs`` ("auto": at least AUTO_MIN_STEPS steps) for ``n_samples``."""
    if epochs != "auto":
        return int(epochs)
    steps_per_epoch = math.ceil(n_samples / batch_size)
    return max(AUTO_MIN_EPOCHS, math.ceil(AUTO_MIN_STEPS / steps_per_epoch))


@dataclass(frozen=True)
class TrainingSettings:
    """The estimator's parameters that shape the networks and their training."""

    filters: tuple[int, ...]
    hidden_units: tuple[int, ...]
    latent_dim: int | None
    kernel_size: int
    epochs: int | str
    batch_size: int
    learning_rate: float
    discriminator_learning_rate: float | None
    reconstruction_weight: float
    noise_std: float
    pseudo_anomalies: bool
    erase_fraction: float
    refine_fraction: float
    tol: float | None
    validation_fraction: float
    distribution_strategy: object
    verbose: int

    @property
    def pseudo_anomaly_maker(self) -> PseudoAnomalies | None:
        """What the trainers add to D's negatives: None without ``pseudo_anomalies``."""
        return PseudoAnomalies(self.erase_fraction) if self.pseudo_anomalies else None


@dataclass(frozen=True)
class TrainedNetworks:
    """What :func:`fit_networks` returns."""

    reconstructor: object
    discriminator: object
    history: dict
    n_epochs: int


def progress_mode(verbose: int) -> int:
    """Keras' ``verbose`` for ``verbose``: a redrawn bar (1) only on a terminal.

    Elsewhere (a log file, a notebook's captured output, CI) the bar's carriage
    returns and backspaces would garble the text, so 1 becomes one line per
    epoch (2) there.
    """
    verbose = min(int(verbose), 2)
    if verbose == 1 and not (hasattr(sys.stdout, "isatty") and sys.stdout.isatty()):
        return 2
    return verbose


def _seed(rng: np.random.Generator) -> int:
    return int(rng.integers(np.iinfo(np.int32).max))


def fit_networks(rows, sample_shape: tuple, settings: TrainingSettings, rng) -> TrainedNetworks:
    """Build R and D for ``sample_shape``, train them on ``rows`` and copy them to float64.

    Parameters
    ----------
    rows : InMemoryRows or ScaledRows
        The scaled training rows (:mod:`skalocc._chunks`).
    sample_shape : tuple of int
        ``(n_features,)`` or ``(h, w, c)``.
    settings : TrainingSettings
        Architecture and training parameters.
    rng : numpy.random.Generator
        The fit's only source of randomness (validation split, weights,
        noise seeds, batch order), drawn from in a fixed order.

    Returns
    -------
    networks : TrainedNetworks
        Float64 copies of R and D (stored by the detector), the history and
        the number of adversarial epochs run.
    """
    s = settings
    train_rows, x_val = rows, None
    if s.tol is not None and len(rows) >= 2:
        order = rng.permutation(len(rows))
        n_val = min(len(rows) - 1, max(1, round(s.validation_fraction * len(rows))))
        x_val, train_rows = rows.take(order[:n_val]), rows.subset(order[n_val:])
    d_learning_rate = s.discriminator_learning_rate or s.learning_rate
    verbose = progress_mode(s.verbose)

    # Under a tf.distribute strategy, R, D and the optimizers hold its variables.
    strategy = resolve_strategy(s.distribution_strategy)
    with strategy_scope(strategy):
        reconstructor = build_reconstructor(
            sample_shape,
            filters=s.filters,
            hidden_units=s.hidden_units,
            latent_dim=s.latent_dim,
            kernel_size=s.kernel_size,
            rng=rng,
        )
        discriminator = build_discriminator(
            sample_shape,
            filters=s.filters,
            hidden_units=s.hidden_units,
            kernel_size=s.kernel_size,
            rng=rng,
        )
        trainer = make_trainer(
            reconstructor,
            discriminator,
            reconstruction_weight=s.reconstruction_weight,
            noise_std=s.noise_std,
            learning_rate=s.learning_rate,
            discriminator_learning_rate=d_learning_rate,
            seed=_seed(rng),
            pseudo_anomalies=s.pseudo_anomaly_maker,
        )
    n_epochs = resolve_epochs(s.epochs, len(train_rows), s.batch_size)
    snapshot = ReconstructorSnapshot(max(1, n_epochs // 10))
    history = train(
        trainer,
        train_rows,
        x_val=x_val,
        tol=s.tol,
        epochs=n_epochs,
        batch_size=s.batch_size,
        rng=rng,
        verbose=verbose,
        callbacks=(snapshot,),
    )
    n_trained = len(history.get("d_loss", []))
    if s.refine_fraction > 0 and snapshot.weights is not None:
        with strategy_scope(strategy):  # variables of the strategy
            old_reconstructor = keras_clone(reconstructor)
            old_reconstructor.set_weights(snapshot.weights)
            refiner = make_refiner(
                discriminator,
                old_reconstructor,
                noise_std=s.noise_std,
                learning_rate=d_learning_rate,
                seed=_seed(rng),
                pseudo_anomalies=s.pseudo_anomaly_maker,
            )
        refined = train(
            refiner,
            train_rows,
            x_val=None,
            tol=None,
            epochs=math.ceil(s.refine_fraction * n_trained),
            batch_size=s.batch_size,
            rng=rng,
            verbose=verbose,
        )
        history.update(refined)
    return TrainedNetworks(
        float64_copy(reconstructor), float64_copy(discriminator), history, n_trained
    )


class ReconstructorSnapshot(keras.callbacks.Callback):
    """Keep a copy of R's weights as they are at the end of epoch ``epoch``."""

    def __init__(self, epoch: int):
        super().__init__()
        self.epoch = int(epoch)
        self.weights: list | None = None

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epoch:
            self.weights = self.model.reconstructor.get_weights()


class EpochMonitor(keras.callbacks.Callback):
    """Record losses, check they are finite, apply the stopping rule.

    Parameters
    ----------
    x_val : ndarray or None
        Held-out training inliers for the stopping rule, already scaled.
    tol : float or None
        Stop once the mean squared reconstruction error on ``x_val`` is
        below ``tol``.
    batch_size : int
        Batch size for evaluating ``x_val``.
    """

    def __init__(self, x_val, tol, batch_size):
        super().__init__()
        self.x_val = x_val
        self.tol = tol
        self.batch_size = batch_size
        self.history: dict[str, list[float]] = {}

    def on_epoch_end(self, epoch, logs=None):
        logs = {name: float(value) for name, value in (logs or {}).items()}
        bad = sorted(name for name, value in logs.items() if not math.isfinite(value))
        if bad:
            raise TrainingDivergedError(
                f"ALOCC training diverged at epoch {epoch + 1}: {', '.join(bad)} "
                "became NaN or infinite. Try a smaller learning_rate (and "
                "discriminator_learning_rate), a smaller reconstruction_weight, "
                "or check the input for extreme values."
            )
        if self.x_val is not None:
            errors = reconstruction_errors(self.model.reconstructor, self.x_val, self.batch_size)
            logs["val_reconstruction_error"] = float(np.mean(errors))
        for name, value in logs.items():
            self.history.setdefault(name, []).append(value)
        if self.tol is not None and logs.get("val_reconstruction_error", np.inf) < self.tol:
            self.model.stop_training = True


def _rows_per_epoch(n_samples: int, batch_size: int, replicas: int) -> int:
    """Rows fed per epoch: all, less a last batch smaller than ``replicas``."""
    rest = n_samples % batch_size
    if 0 < rest < replicas and n_samples > batch_size:
        return n_samples - rest
    return n_samples


def batch_indices(
    n_samples: int, batch_size: int, epochs: int, rng: np.random.Generator, *, replicas: int = 1
):
    """Per-epoch shuffled batches of row indices, as a ``tf.data.Dataset``.

    The order comes from ``rng`` alone, so it does not depend on TensorFlow's
    global seed. Under a ``tf.distribute`` strategy with ``replicas`` replicas,
    an epoch's last batch is dropped when it has fewer rows than replicas (a
    replica would get none); those rows differ from epoch to epoch.
    """
    perms = np.stack([rng.permutation(n_samples) for _ in range(epochs)]).astype(np.int64)
    perms = perms[:, : _rows_per_epoch(n_samples, batch_size, replicas)]
    return tf.data.Dataset.from_tensor_slices(perms).flat_map(
        lambda perm: tf.data.Dataset.from_tensor_slices(perm).batch(batch_size)
    )


def train(
    trainer,
    x_train,
    *,
    x_val: np.ndarray | None,
    tol: float | None,
    epochs: int,
    batch_size: int,
    rng: np.random.Generator,
    verbose: int,
    callbacks: tuple = (),
) -> dict[str, list[float]]:
    """Run ``trainer.fit`` over shuffled batches and return the history.

    ``x_train`` holds the scaled training rows (:mod:`skalocc._chunks`);
    each batch is fetched from it by its ``batch_fetcher``.

    Returns
    -------
    history : dict of str to list of float
        One value per completed epoch for each loss, plus
        ``val_reconstruction_error`` when ``x_val`` is given.
    """
    replicas = trainer.distribute_strategy.num_replicas_in_sync
    dataset = (
        batch_indices(len(x_train), batch_size, epochs, rng, replicas=replicas)
        .map(x_train.batch_fetcher())
        .prefetch(tf.data.AUTOTUNE)
    )
    monitor = EpochMonitor(x_val, tol, batch_size)
    with retracing_warnings_dropped():
        trainer.fit(
            dataset,
            epochs=epochs,
            steps_per_epoch=math.ceil(
                _rows_per_epoch(len(x_train), batch_size, replicas) / batch_size
            ),
            callbacks=[monitor, *callbacks],
            shuffle=False,
            verbose=verbose,
        )
    return monitor.history
