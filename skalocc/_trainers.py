"""The adversarial R + D training step and D's refinement, as Keras 3 models.

:class:`ALOCCTrainer` wraps the reconstructor R and the discriminator D and
implements the paper's objective (eq. 3-5) in ``train_step``:

* D step: ``max_D log D(X) + log(1 - D(R(X~)))`` with ``X~ = X + eta``,
  ``eta ~ N(0, noise_std^2 I)``;
* R step: ``min_R -log D(R(X~)) + lambda * ||X - R(X~)||^2`` (the
  non-saturating form of the adversarial term; the squared norm is summed
  over the features of a sample and averaged over the batch).

Given ``pseudo_anomalies`` (a :class:`skalocc._pseudo.PseudoAnomalies`), the
D step also pushes D towards 0 on structure-broken training samples.
:class:`DiscriminatorRefiner` is the optional second phase
(``refine_fraction``). Neither model is saved: only R and D are kept.
"""

from __future__ import annotations

from skalocc._backend import tf_keras
from skalocc._distribute import batch_mean, global_batch_loss, replica_normal
from skalocc._pseudo import PseudoAnomalies

tf, keras = tf_keras()
ops = keras.ops

LOSS_NAMES = ("d_loss", "r_loss", "r_adversarial_loss", "r_reconstruction_loss")


class ALOCCTrainer(keras.Model):
    """Joint model of R and D with the ALOCC ``train_step``.

    Parameters
    ----------
    reconstructor, discriminator : keras.Model
        The networks built by :mod:`skalocc._networks`.
    reconstruction_weight : float
        The paper's lambda.
    noise_std : float
        Standard deviation of the Gaussian noise added to R's input.
    seed : int
        Seed of the noise draws.
    pseudo_anomalies : PseudoAnomalies or None, default=None
        Also train D to reject these structure-broken training samples.
    """

    def __init__(
        self,
        reconstructor,
        discriminator,
        *,
        reconstruction_weight: float,
        noise_std: float,
        seed: int,
        pseudo_anomalies: PseudoAnomalies | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.reconstructor = reconstructor
        self.discriminator = discriminator
        self.reconstruction_weight = float(reconstruction_weight)
        self.noise_std = float(noise_std)
        self.pseudo_anomalies = pseudo_anomalies
        self.seed = int(seed)
        self.seed_generator = keras.random.SeedGenerator(self.seed, name="noise_seed")
        self.trackers = {name: keras.metrics.Mean(name=name) for name in LOSS_NAMES}

    def compile(self, r_optimizer, d_optimizer, **kwargs):
        """Attach one optimizer to R and one to D, then compile."""
        super().compile(**kwargs)
        self.r_optimizer = r_optimizer
        self.d_optimizer = d_optimizer

    @property
    def metrics(self):
        return list(self.trackers.values())

    def call(self, inputs, training=False):
        return self.reconstructor(inputs, training=training)

    def train_step(self, data):
        x = data
        n = ops.shape(x)[0]
        noise = replica_normal(
            ops.shape(x), stddev=self.noise_std, seed_generator=self.seed_generator
        )
        x_noisy = x + noise
        feature_axes = tuple(range(1, len(x.shape)))
        bce = keras.losses.binary_crossentropy

        with tf.GradientTape() as tape:
            x_rec = self.reconstructor(x_noisy, training=True)
            # One call on real, reconstructed (and pseudo-anomalous) samples
            # together: batch normalisation sees the mix it sees at test time.
            inputs = [x, x_rec]
            if self.pseudo_anomalies is not None:
                inputs.append(self.pseudo_anomalies(x, self.seed_generator))
            d_out = self.discriminator(ops.concatenate(inputs, axis=0), training=True)
            d_real, d_fake, d_pseudo = d_out[:n], d_out[n : 2 * n], d_out[2 * n :]
            # mean: over this batch, or this replica's share of it under a
            # tf.distribute strategy (whose replicas' gradients are summed).
            mean = global_batch_loss
            d_loss = mean(bce(ops.ones_like(d_real), d_real)) + mean(
                bce(ops.zeros_like(d_fake), d_fake)
            )
            if self.pseudo_anomalies is not None:
                d_loss = d_loss + mean(bce(ops.zeros_like(d_pseudo), d_pseudo))
        d_weights = self.discriminator.trainable_weights
        self.d_optimizer.apply(tape.gradient(d_loss, d_weights), d_weights)

        with tf.GradientTape() as tape:
            x_rec = self.reconstructor(x_noisy, training=True)
            d_fake = self.discriminator(x_rec, training=True)
            adversarial = mean(bce(ops.ones_like(d_fake), d_fake))
            reconstruction = mean(ops.sum(ops.square(x - x_rec), axis=feature_axes))
            r_loss = adversarial + self.reconstruction_weight * reconstruction
        r_weights = self.reconstructor.trainable_weights
        self.r_optimizer.apply(tape.gradient(r_loss, r_weights), r_weights)

        values = (d_loss, r_loss, adversarial, reconstruction)
        for name, value in zip(LOSS_NAMES, values, strict=True):
            self.trackers[name].update_state(batch_mean(value))
        return {name: tracker.result() for name, tracker in self.trackers.items()}


class DiscriminatorRefiner(keras.Model):
    """The "Old is Gold" second phase: D alone, against an early R's outputs.

    Late in adversarial training R reconstructs so well that D learns to
    spot its faint artefacts, and D's score for novel samples degrades
    (measured in ``docs/benchmarks.md``). This phase trains D further with
    real samples as positives and, as negatives, the reconstructions of an
    earlier snapshot of R (coarse, as when D still judged content) and
    pseudo-anomalies (Zaheer et al., "Old is Gold", CVPR 2020).

    Parameters
    ----------
    discriminator : keras.Model
        The D to refine (trained in place).
    old_reconstructor : keras.Model
        The early snapshot of R; not trained.
    noise_std : float
        Standard deviation of the noise added to the old R's input.
    seed : int
        Seed of the noise and pseudo-anomaly draws.
    pseudo_anomalies : PseudoAnomalies or None, default=None
        Also use these pseudo-anomalies as negatives.
    """

    def __init__(
        self,
        discriminator,
        old_reconstructor,
        *,
        noise_std: float,
        seed: int,
        pseudo_anomalies: PseudoAnomalies | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.discriminator = discriminator
        self.old_reconstructor = old_reconstructor
        self.noise_std = float(noise_std)
        self.seed = int(seed)
        self.pseudo_anomalies = pseudo_anomalies
        self.seed_generator = keras.random.SeedGenerator(self.seed, name="noise_seed")
        self.tracker = keras.metrics.Mean(name="d_refine_loss")

    @property
    def metrics(self):
        return [self.tracker]

    def call(self, inputs, training=False):
        return self.discriminator(inputs, training=training)

    def train_step(self, data):
        x = data
        n = ops.shape(x)[0]
        noise = keras.random.normal(ops.shape(x), stddev=self.noise_std, seed=self.seed_generator)
        x_old = self.old_reconstructor(x + noise, training=False)
        inputs = [x, x_old]
        if self.pseudo_anomalies is not None:
            inputs.append(self.pseudo_anomalies(x, self.seed_generator))
        bce = keras.losses.binary_crossentropy
        with tf.GradientTape() as tape:
            d_out = self.discriminator(ops.concatenate(inputs, axis=0), training=True)
            d_real, d_negative = d_out[:n], d_out[n:]
            loss = global_batch_loss(bce(ops.ones_like(d_real), d_real)) + global_batch_loss(
                bce(ops.zeros_like(d_negative), d_negative)
            )
        weights = self.discriminator.trainable_weights
        self.optimizer.apply(tape.gradient(loss, weights), weights)
        self.tracker.update_state(batch_mean(loss))
        return {"d_refine_loss": self.tracker.result()}


class _Adam(keras.optimizers.Adam):
    """Adam that skips the gradient all-reduce when no distribution strategy is active.

    Keras' TensorFlow optimizer all-reduces gradients through the default
    replica context even without a strategy. That path registers a gradient
    function in TensorFlow's process-wide registry which keeps every traced
    training step (and its networks) alive: tens of MB lost per small fit,
    which ``keras.backend.clear_session`` does not free. Without a strategy
    the all-reduce is the identity, so it is skipped; under a strategy the
    stock path runs.
    """

    def _all_reduce_sum_gradients(self, grads_and_vars):
        if not tf.distribute.has_strategy():
            return list(grads_and_vars)
        return super()._all_reduce_sum_gradients(grads_and_vars)


def _plain_adam(learning_rate: float):
    """Adam with ``beta_1=0.5`` (as in DCGAN), free of the all-reduce leak."""
    return _Adam(learning_rate, beta_1=0.5, name="adam")


def make_refiner(
    discriminator,
    old_reconstructor,
    *,
    noise_std: float,
    learning_rate: float,
    seed: int,
    pseudo_anomalies: PseudoAnomalies | None,
) -> DiscriminatorRefiner:
    """Wrap D and an old R in a compiled :class:`DiscriminatorRefiner`."""
    refiner = DiscriminatorRefiner(
        discriminator,
        old_reconstructor,
        noise_std=noise_std,
        seed=seed,
        pseudo_anomalies=pseudo_anomalies,
        name="refiner",
    )
    refiner.compile(optimizer=_plain_adam(learning_rate), jit_compile=False)
    # Optimizer state created now, not inside the first trace: a tf.function
    # that creates variables is traced twice.
    refiner.optimizer.build(discriminator.trainable_weights)
    return refiner


def make_trainer(
    reconstructor,
    discriminator,
    *,
    reconstruction_weight: float,
    noise_std: float,
    learning_rate: float,
    discriminator_learning_rate: float,
    seed: int,
    pseudo_anomalies: PseudoAnomalies | None = None,
) -> ALOCCTrainer:
    """Wrap R and D in a compiled :class:`ALOCCTrainer` with fresh optimizers.

    Each fit gets its own Adam optimizers (``beta_1=0.5``, as in DCGAN): a
    Keras optimizer cannot be shared between models.
    """
    trainer = ALOCCTrainer(
        reconstructor,
        discriminator,
        reconstruction_weight=reconstruction_weight,
        noise_std=noise_std,
        seed=seed,
        pseudo_anomalies=pseudo_anomalies,
        name="trainer",
    )
    trainer.compile(
        r_optimizer=_plain_adam(learning_rate),
        d_optimizer=_plain_adam(discriminator_learning_rate),
        jit_compile=False,
    )
    # Optimizer state created now (in the caller's strategy scope, if any):
    # a tf.function that creates variables is traced twice (a second trace
    # per fit), and a tf.distribute strategy cannot create them in train_step.
    trainer.r_optimizer.build(reconstructor.trainable_weights)
    trainer.d_optimizer.build(discriminator.trainable_weights)
    return trainer
