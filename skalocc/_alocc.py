"""ALOCCDetector: the scikit-learn estimator around R and D."""

from __future__ import annotations

import os
from numbers import Integral, Real
from pathlib import Path
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, OutlierMixin, clone
from sklearn.utils import check_random_state

# Parameter constraints have no public home in scikit-learn; every
# scikit-learn-compatible project imports them from here.
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from skalocc import _calibration, _chunks
from skalocc._labels import normal_rows
from skalocc._persistence import SerializedModel, check_pickle_version
from skalocc._presets import SCALINGS, SCORE_KINDS, resolve_auto, with_earlier_values
from skalocc._scaling import MinMaxScaling
from skalocc._validation import check_tuple_params, scaled_input, training_input
from skalocc._version import __version__

_NETWORKS = ("reconstructor_", "discriminator_")


class ALOCCDetector(OutlierMixin, BaseEstimator):
    """Adversarially Learned One-Class Classifier (ALOCC) novelty detector.

    Trains a reconstructor R (an encoder-decoder) and a discriminator D
    adversarially on samples of the target class only (Sabokrou et al., CVPR
    2018). D learns to tell real target samples from R's reconstructions of
    noisy ones; R learns to reconstruct well enough to fool D. At test time a
    sample is normal when D finds it (or its reconstruction) target-like.

    Parameters
    ----------
    image_shape : tuple of int, default=None
        ``(h, w)`` or ``(h, w, c)``: reshape 2-D rows of ``h * w * c``
        features into images and use convolutional networks. One entry may be
        -1, inferred from the number of features (``(1, -1)`` treats each row
        as a one-pixel-high image). 3-D ``(n, h, w)``
        and 4-D ``(n, h, w, c)`` inputs are images whatever this is (when
        given, it must match). 2-D input without ``image_shape`` is tabular and
        gets dense networks.
    filters : tuple of int, default=(32, 64)
        Image mode: widths of the stride-2, ``kernel_size`` convolutions of R's
        encoder and of D (R's decoder mirrors them). The paper uses
        ``(64, 128, 256, 512)``. Images are zero-padded to a multiple of
        ``2 ** len(filters)`` inside R and cropped back, so any size works.
    hidden_units : tuple of int, default=(64, 32)
        Tabular mode: widths of the dense layers of R's encoder and of D (R's
        decoder mirrors them).
    latent_dim : int or None, default=16
        Size of the dense bottleneck in the middle of R. A bottleneck stops R
        from learning the identity. ``None`` removes it (the paper's fully
        convolutional R in image mode).
    kernel_size : int, default=5
        Side of the square convolution kernels (the paper's 5).
    epochs : int or "auto", default="auto"
        Maximum number of passes over the training data. "auto" runs at least
        10 epochs and at least 1000 training steps (many epochs for small
        data sets, about 11 for 6 000 samples at ``batch_size=64``).
    batch_size : int, default=64
        Samples per training step.
    learning_rate : float, default=2e-4
        Adam learning rate of R (``beta_1=0.5``, as in DCGAN).
    discriminator_learning_rate : float or None, default=None
        Adam learning rate of D; None uses ``learning_rate``.
    reconstruction_weight : float, default=0.4
        The paper's lambda: weight of ``||X - R(X~)||^2`` (summed over the
        features of a sample, averaged over the batch) in R's loss.
    noise_std : float, default=0.155
        Standard deviation of the Gaussian noise added to R's input during
        training, in units of the scaled inputs (see ``scaling``).
    pseudo_anomalies : bool, default=True
        Also train D to reject pseudo-anomalies: training samples with their
        structure broken (images: rotated, flipped, or shifted by half their
        size; tabular rows: Gaussian noise at three scales and columns
        shuffled across the batch). D then learns what makes a
        sample belong to the target class rather than how reconstructions
        look. False trains the paper's D (real vs reconstructed only).
    erase_fraction : float in [0, 1], default=1/3
        Image mode with ``pseudo_anomalies``: the share of the
        pseudo-anomalies (drawn per sample) that are erasures instead of
        rotations, flips or shifts: a rectangle of half the image's height and
        width, at a random position, set to 0 (the bottom of the scaled
        range). D then learns that a part missing makes a novelty (an 8
        without a loop is a 9 or a 3), which the geometric transformations
        cannot teach for symmetric classes. On MNIST it lifted digit 8 from
        0.90 to 0.95 AUROC (``docs/benchmarks.md``); 0 trains D as version
        0.2 did. Ignored for tabular rows.
    refine_fraction : float in [0, 1], default=0.0
        Length of a second training phase ("Old is Gold", CVPR 2020), as a
        share of the adversarial phase's epochs (rounded up). In it D alone
        trains on real samples against the reconstructions of R as it was
        after the first tenth of training (and pseudo-anomalies): late in
        adversarial training D learns to spot R's faint artefacts, and this
        phase is meant to turn it back to what the samples show. 0 skips it
        (the paper, and the default: on MNIST it did not help reliably, see
        ``docs/benchmarks.md``).
    novelty_score : {"auto", "features", "combined", "D(X)", "D(R(X))", \
"reconstruction"}, default="auto"
        What ``score_samples`` returns (higher is more normal):

        - "features": minus the distance to the nearest training sample in
          D's learned representation (its hidden layers' activations; for
          images, its last convolution block). A sample identical to a
          training sample (the training samples themselves) is scored
          leave-one-out, against the nearest *other* training sample, so
          ``fit_predict`` flags the ``contamination`` share and the
          threshold is close to calibrated for new samples. On
          more than 10 000 training samples, a seeded random 10 000 are kept
          as the reference.
        - "combined": D's logit for X plus minus R's root mean squared error,
          each standardised by its median and standard deviation on the
          training samples (not a probability).
        - "D(X)": D's probability for X itself (the paper's OCC1).
        - "D(R(X))": D's probability for the reconstruction R(X) (OCC2, the
          paper's proposed detector).
        - "reconstruction": minus the mean squared reconstruction error.
        - "auto": "features" for tabular rows and for fewer than 1 000
          training images, "combined" for 1 000 images or more: the choices
          the library's benchmarks support (``docs/benchmarks.md``). On
          tables, and on small image sets, D's probability ranks novelties
          poorly while distances in its representation rank them well; on
          MNIST's 6 000 images per class "combined" is ahead.
    scaling : {"auto", "minmax", "standard"}, default="auto"
        How inputs are mapped to the networks' range, learned in ``fit``
        (``scaling_``): "minmax" maps the training range to [0, 1];
        "standard" maps the mean -/+ 4 standard deviations to 0 and 1 (a
        standardisation: a few extreme values squash a column less). Per
        feature for tabular rows, one map over all pixels for images. "auto"
        is "standard" for tabular rows and "minmax" for images (the paper's
        [0, 1] images). ``noise_std`` is in these scaled units.
    contamination : "auto" or float, default="auto"
        Sets ``offset_``, the threshold of ``predict``. With a float ``a`` in
        (0, 0.5] and ``calibration_fraction`` set, ``offset_`` is the conformal
        threshold: ``predict`` flags exactly the samples with
        ``pvalues(X) <= a``, so at most a share ``a`` of new normal samples is
        flagged (in expectation). Without calibration, a share ``a`` of the
        *training* samples scores below the threshold; new normal samples,
        which the networks have not seen, are flagged more often. "auto" is
        ``a = 0.05``, either way.
    tol : float or None, default=None
        The paper's stopping rule: when set, ``validation_fraction`` of the
        training samples is held out and training stops at the end of the
        first epoch whose mean squared reconstruction error on them (inputs
        scaled to [0, 1]) is below ``tol``. None trains for ``epochs``.
    validation_fraction : float, default=0.1
        Share of the training samples held out when ``tol`` is set.
    calibration_fraction : float in (0, 0.5] or None, default=None
        Share of the training samples (drawn with ``random_state``, at least
        one) held out of training and scored afterwards: their scores calibrate
        ``pvalues`` and, with ``contamination``, the threshold. More
        calibration samples give steadier false-alarm rates (a rate ``a``
        needs at least ``1 / a - 1`` of them); fewer leave more to train on.
        None trains on every sample and gives no p-values.
    distribution_strategy : None, "mirrored" or tf.distribute.Strategy, \
default=None
        Train under a ``tf.distribute`` strategy: R, D and their optimizers
        are built in ``strategy.scope()`` and every batch is split across the
        strategy's replicas. "mirrored" is ``tf.distribute.MirroredStrategy()``
        over all local GPUs (or all logical CPU devices when there is no GPU),
        created at each ``fit``. A strategy object (for example a
        ``MultiWorkerMirroredStrategy`` created at program start) is used as it
        is; ``clone`` deep-copies it, but it does not pickle, so an estimator
        holding one cannot be pickled: use the string where estimators travel
        between processes (joblib, Dask). Scoring never uses the strategy.
        Results are close to single-device training but not identical
        (batch normalisation statistics are per replica); see
        ``docs/scaling.md``.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, noise, shuffling and the validation
        split. An int gives the same scores on every fit on the same machine;
        no global seed is touched.
    verbose : int, default=0
        0 is silent, 1 shows a progress bar per epoch on a terminal (one line
        per epoch when output goes elsewhere, such as a log file), 2 one line
        per epoch.

    Attributes
    ----------
    reconstructor_ : keras.Model
        The trained R, on scaled inputs of shape ``image_shape_`` (or
        ``(n_features_in_,)``).
    discriminator_ : keras.Model
        The trained D, giving the probability of the target class; its
        pre-sigmoid layer is named ``"logit"``.
    offset_ : float
        ``decision_function = score_samples - offset_``.
    novelty_score_ : str
        The score fitted and returned by ``score_samples`` ("auto" resolved);
        changing ``novelty_score`` takes effect at the next ``fit``, like
        every parameter.
    score_reference_ : ScoreReference, FeatureReference or None
        What the score needs from the training data: the medians and standard
        deviations of the parts of the "combined" score, or the reference
        samples of the "features" score in D's representation (its
        ``features`` array, at most 10 000 rows); None for the other scores.
    calibration_scores_ : ndarray of float64 or None
        Sorted scores of the calibration samples (``calibration_fraction``);
        None without calibration.
    history_ : dict of str to list of float
        Per-epoch mean losses: ``d_loss``, ``r_loss``, ``r_adversarial_loss``,
        ``r_reconstruction_loss`` and, when ``tol`` is set,
        ``val_reconstruction_error``; ``d_refine_loss`` for the epochs of
        the second phase (``refine_fraction``).
    n_epochs_ : int
        Epochs of adversarial training actually run.
    image_shape_ : tuple of int or None
        ``(h, w, c)`` in image mode, None in tabular mode.
    scaling_ : MinMaxScaling
        The learned affine scaling of the inputs (``scaling``).
    n_features_in_ : int
        Number of features (values per sample) seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    sklearn.ensemble.IsolationForest : A tree-based novelty detector.

    References
    ----------
    M. Sabokrou, M. Khalooei, M. Fathy, E. Adeli, "Adversarially Learned
    One-Class Classifier for Novelty Detection", CVPR 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from skalocc import ALOCCDetector
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(64, 4))
    >>> det = ALOCCDetector(hidden_units=(8,), latent_dim=2, epochs=2,
    ...                     random_state=0).fit(X)
    >>> det.predict(X[:3]).shape
    (3,)
    >>> det.score_samples(X).dtype
    dtype('float64')
    """

    _parameter_constraints: ClassVar[dict] = {
        "image_shape": [None, tuple, list],
        "filters": [tuple, list],
        "hidden_units": [tuple, list],
        "latent_dim": [Interval(Integral, 1, None, closed="left"), None],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "discriminator_learning_rate": [Interval(Real, 0, None, closed="neither"), None],
        "reconstruction_weight": [Interval(Real, 0, None, closed="left")],
        "noise_std": [Interval(Real, 0, None, closed="left")],
        "pseudo_anomalies": ["boolean"],
        "erase_fraction": [Interval(Real, 0, 1, closed="both")],
        "refine_fraction": [Interval(Real, 0, 1, closed="both")],
        "novelty_score": [StrOptions({"auto", *SCORE_KINDS})],
        "scaling": [StrOptions({"auto", *SCALINGS})],
        "contamination": [StrOptions({"auto"}), Interval(Real, 0, 0.5, closed="right")],
        "tol": [Interval(Real, 0, None, closed="neither"), None],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "calibration_fraction": [Interval(Real, 0, 0.5, closed="right"), None],
        "distribution_strategy": [None, StrOptions({"mirrored"}), HasMethods(["scope"])],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        image_shape=None,
        *,
        filters=(32, 64),
        hidden_units=(64, 32),
        latent_dim=16,
        kernel_size=5,
        epochs="auto",
        batch_size=64,
        learning_rate=2e-4,
        discriminator_learning_rate=None,
        reconstruction_weight=0.4,
        noise_std=0.155,
        pseudo_anomalies=True,
        erase_fraction=1 / 3,
        refine_fraction=0.0,
        novelty_score="auto",
        scaling="auto",
        contamination="auto",
        tol=None,
        validation_fraction=0.1,
        calibration_fraction=None,
        distribution_strategy=None,
        random_state=None,
        verbose=0,
    ):
        self.image_shape = image_shape
        self.filters = filters
        self.hidden_units = hidden_units
        self.latent_dim = latent_dim
        self.kernel_size = kernel_size
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.discriminator_learning_rate = discriminator_learning_rate
        self.reconstruction_weight = reconstruction_weight
        self.noise_std = noise_std
        self.pseudo_anomalies = pseudo_anomalies
        self.erase_fraction = erase_fraction
        self.refine_fraction = refine_fraction
        self.novelty_score = novelty_score
        self.scaling = scaling
        self.contamination = contamination
        self.tol = tol
        self.validation_fraction = validation_fraction
        self.calibration_fraction = calibration_fraction
        self.distribution_strategy = distribution_strategy
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    def fit(self, X: ArrayLike, y: ArrayLike | None = None) -> ALOCCDetector:
        """Train R and D on target-class samples ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n, h, w) or (n, h, w, c)
            Training samples, of the target (normal) class unless ``y`` says
            otherwise.
        y : array-like of shape (n_samples,), default=None
            Novelty labels: when ``y`` holds only the values +1 (normal) and
            -1 (novelty), the rows labelled -1 take no part in training or in
            the threshold, so ``fit(X, y)`` is ``fit(X[y == 1])``. This makes
            ``GridSearchCV(..., scoring="roc_auc").fit(X, y)`` train every
            fold, and the refit, on normal rows only. Any other ``y`` (None,
            class labels, 0/1 labels) is ignored, as scikit-learn's detectors
            ignore it; convert 0/1 "1 = anomaly" labels with
            :func:`skalocc.model_selection.anomaly_labels_to_novelty`.

        Returns
        -------
        self : ALOCCDetector
            The fitted estimator.
        """
        self._validate_params()
        checked = check_tuple_params(self)
        X = normal_rows(X, y)  # novelty labels: train on the +1 rows only
        # Validate on a twin so that nothing on self changes until the end.
        twin = clone(self)
        data, streamed, image_shape, summary = training_input(twin, X, checked["image_shape"])
        image_mode = image_shape is not None
        novelty_score = resolve_auto("novelty_score", self.novelty_score, image_mode, summary.count)
        scaling_kind = resolve_auto("scaling", self.scaling, image_mode, summary.count)
        scaling = MinMaxScaling.from_summary(summary, scaling_kind, per_feature=not image_mode)
        sample_shape = image_shape or (twin.n_features_in_,)
        rows = _chunks.training_rows(data, scaling, sample_shape, streamed=streamed)

        from skalocc._training import fit_networks

        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        rng = np.random.default_rng(seed)
        train_rows, calibration_rows = rows, None
        if self.calibration_fraction is not None:  # held out of training, scored after it
            train_at, calibration_at = _calibration.split(
                rng, len(rows), self.calibration_fraction, self.contamination
            )
            train_rows, calibration_rows = rows.subset(train_at), rows.subset(calibration_at)
        nets = fit_networks(train_rows, sample_shape, self._training_settings(checked), rng)
        scores, reference, calibration_scores = _calibration.fitted_scores(
            nets.reconstructor, nets.discriminator, novelty_score, train_rows, calibration_rows, rng
        )
        fitted = {
            "reconstructor_": nets.reconstructor,
            "discriminator_": nets.discriminator,
            "offset_": _calibration.offset(self.contamination, scores, calibration_scores),
            "novelty_score_": novelty_score,
            "score_reference_": reference,
            "calibration_scores_": calibration_scores,
            "history_": nets.history,
            "n_epochs_": nets.n_epochs,
            "image_shape_": image_shape,
            "scaling_": scaling,
            "n_features_in_": twin.n_features_in_,
        }
        if hasattr(twin, "feature_names_in_"):
            fitted["feature_names_in_"] = twin.feature_names_in_
        # One assignment replaces every fitted attribute at once.
        params = {k: v for k, v in vars(self).items() if not k.endswith("_")}
        self.__dict__ = {**params, **fitted}
        return self

    def _training_settings(self, checked: dict):
        """The parameters that shape and train the networks, the tuples checked."""
        from dataclasses import fields

        from skalocc._training import TrainingSettings

        params = {f.name: getattr(self, f.name) for f in fields(TrainingSettings)}
        checked_tuples = {k: v for k, v in checked.items() if k in params}
        return TrainingSettings(**{**params, **checked_tuples})

    # ---------------------------------------------------------- persistence
    def __getstate__(self):
        state = dict(super().__getstate__())  # object.__getstate__ returns __dict__ itself
        for key in _NETWORKS:
            if key in state:
                state[key] = SerializedModel.from_model(state[key])
        state["_skalocc_version"] = __version__
        return state

    def __setstate__(self, state):
        state = dict(state)
        check_pickle_version(state.pop("_skalocc_version", None))
        with_earlier_values(state)  # pickles older than a parameter keep their value
        for key in _NETWORKS:
            if isinstance(state.get(key), SerializedModel):
                state[key] = state[key].to_model()
        super().__setstate__(state)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the fitted detector to one model file, without pickle.

        A zip archive of JSON (parameters and fitted scalars), ``.npy`` arrays
        and the two networks in Keras 3's format; :func:`skalocc.load` reads it
        back without unpickling anything. Pickling keeps working too.

        Parameters
        ----------
        path : str or path-like
            Where to write (``.skalocc`` by convention); replaced if it exists.

        Returns
        -------
        path : pathlib.Path
            The file written.
        """
        from skalocc._model_file import save_model

        check_is_fitted(self)
        return save_model(self, path)

    # -------------------------------------------------------------- scoring
    def score_samples(self, X: ArrayLike) -> np.ndarray:
        """Novelty score of each sample; higher means more normal.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n, h, w) or (n, h, w, c)
            Samples to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,), float64
            The score chosen by ``novelty_score`` at fit time.
        """
        from skalocc._scoring import novelty_scores

        chunks, _ = scaled_input(self, X)
        scores = np.concatenate(
            [
                novelty_scores(
                    self.reconstructor_,
                    self.discriminator_,
                    x,
                    self.novelty_score_,
                    self.score_reference_,
                )
                for x in chunks
            ]
        )
        if not np.all(np.isfinite(scores)):
            raise ValueError(
                "The novelty score overflowed for samples of X: their values lie so far "
                "outside the training range that the networks' outputs are not finite."
            )
        return scores

    def decision_function(self, X: ArrayLike) -> np.ndarray:
        """Shifted score: negative for outliers, non-negative for inliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n, h, w) or (n, h, w, c)
            Samples to score.

        Returns
        -------
        decision : ndarray of shape (n_samples,), float64
            ``score_samples(X) - offset_``.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Label each sample as inlier (+1) or outlier (-1).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n, h, w) or (n, h, w, c)
            Samples to label.

        Returns
        -------
        labels : ndarray of shape (n_samples,), int
            +1 where ``decision_function(X) >= 0``, else -1.
        """
        return np.where(self.decision_function(X) >= 0, 1, -1)

    def pvalues(self, X: ArrayLike) -> np.ndarray:
        """Conformal p-value of each sample: small means novel.

        ``p(x) = (1 + #{calibration scores <= s(x)}) / (n_cal + 1)``, with ``s``
        the score of ``score_samples`` and the calibration scores those of the
        training samples held out by ``calibration_fraction``. For new samples
        drawn like the training samples, ``P(p <= a) <= a`` for every ``a``:
        flagging ``p <= a`` keeps the false-alarm rate at or below ``a``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n, h, w) or (n, h, w, c)
            Samples to test.

        Returns
        -------
        pvalues : ndarray of shape (n_samples,), float64
            In ``[1 / (n_cal + 1), 1]``.

        Raises
        ------
        ValueError
            When the detector was fitted without ``calibration_fraction``.
        """
        check_is_fitted(self)
        if getattr(self, "calibration_scores_", None) is None:
            raise ValueError(
                "pvalues needs calibration scores, and this ALOCCDetector was fitted "
                "without calibration_fraction. Refit with calibration_fraction set (for "
                "example ALOCCDetector(calibration_fraction=0.2)) to hold that share of "
                "the training samples out of training and calibrate on it."
            )
        return _calibration.pvalues(self.calibration_scores_, self.score_samples(X))

    def explain(self, X: ArrayLike) -> np.ndarray:
        """How much each value of each sample makes it look novel.

        The contribution of a feature (a pixel in image mode) is R's squared
        reconstruction error on it, on inputs scaled to the training range:
        ``(x~_j - R(x~)_j) ** 2``. Contributions are non-negative and add up to
        the number of features times the sample's mean squared
        reconstruction error (see the user guide, "Explanations").

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n, h, w) or (n, h, w, c)
            Samples to explain.

        Returns
        -------
        contributions : ndarray of float64, same shape as ``X``
            Larger means that value looks more novel.
        """
        from skalocc._explain import contributions

        chunks, image_input_shape = scaled_input(self, X)
        out = contributions(self.reconstructor_, chunks)
        return out if image_input_shape is None else out.reshape((len(out), *image_input_shape))

    def reconstruct(self, X: ArrayLike) -> np.ndarray:
        """Return R(X) in the shape and scale of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n, h, w) or (n, h, w, c)
            Samples to reconstruct.

        Returns
        -------
        X_rec : ndarray of float64, same shape as ``X``
            R's reconstruction, mapped back through the learned scaling.
        """
        from skalocc._scoring import forward

        chunks, image_input_shape = scaled_input(self, X)
        rec = np.concatenate(
            [
                self.scaling_.inverse_transform(forward(self.reconstructor_, x).reshape(len(x), -1))
                for x in chunks
            ]
        )
        return rec if image_input_shape is None else rec.reshape((len(rec), *image_input_shape))
