"""Small baseline estimators used by the benchmarks only.

* :class:`PCAReconstruction`: the classical reconstruction baseline.
* :class:`KNNDistance`: distance to the k nearest training rows.
* :class:`PyODDetector`: PyOD's detectors behind scikit-learn's
  conventions (higher score = more normal, labels +1 / -1).
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors
from sklearn.utils.validation import check_is_fitted, validate_data


def lower_tukey_fence(scores: np.ndarray) -> float:
    """``Q1 - 1.5 * IQR`` of the training scores: the baselines' threshold.

    (skalocc 0.1's ``contamination="auto"``; the library now aims at a 5%
    false-alarm rate, see ``skalocc._calibration``.)

    Examples
    --------
    >>> lower_tukey_fence(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    -1.0
    """
    q1, q3 = np.percentile(scores, [25, 75])
    return float(q1 - 1.5 * (q3 - q1))


class _Thresholded(OutlierMixin):
    """``decision_function`` and ``predict`` from ``score_samples`` and ``offset_``."""

    def decision_function(self, X: ArrayLike) -> np.ndarray:
        """``score_samples(X) - offset_``: negative for outliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to score.

        Returns
        -------
        decision : ndarray of shape (n_samples,)
            Shifted scores.
        """
        return self.score_samples(X) - self.offset_

    def predict(self, X: ArrayLike) -> np.ndarray:
        """+1 for inliers, -1 for outliers.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to label.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            +1 where ``decision_function(X) >= 0``, else -1.
        """
        return np.where(self.decision_function(X) >= 0, 1, -1)


class PCAReconstruction(_Thresholded, BaseEstimator):
    """Novelty detection by PCA reconstruction error.

    Fits a PCA on the training (normal) samples; a sample's score is minus
    its squared reconstruction error (summed over features) from the kept
    components, so higher means more normal. The threshold ``offset_`` is the
    lower Tukey fence of the training scores, like ALOCC's
    ``contamination="auto"``.

    Parameters
    ----------
    n_components : int or float, default=0.9
        Components kept: a count, or the share of variance to explain.
    random_state : int or None, default=None
        Passed to :class:`~sklearn.decomposition.PCA` (unused by its exact
        solver; kept so that every benchmark detector takes a seed).

    Attributes
    ----------
    pca_ : PCA
        The fitted PCA.
    offset_ : float
        ``decision_function = score_samples - offset_``.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2)) @ np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
    >>> det = PCAReconstruction().fit(X)
    >>> det.predict(np.array([[0.0, 0.0, 0.0], [5.0, -5.0, 5.0]])).tolist()
    [1, -1]
    """

    def __init__(self, n_components: int | float = 0.9, random_state: int | None = None):
        self.n_components = n_components
        self.random_state = random_state

    def fit(self, X: ArrayLike, y: None = None) -> PCAReconstruction:
        """Fit the PCA and the threshold on normal samples ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples, all normal.
        y : None
            Ignored.

        Returns
        -------
        self : PCAReconstruction
            The fitted estimator.
        """
        X = validate_data(self, X, dtype=np.float64)
        self.pca_ = PCA(self.n_components, svd_solver="full", random_state=self.random_state)
        self.pca_.fit(X)
        self.offset_ = lower_tukey_fence(self._scores(X))
        return self

    def _scores(self, X: np.ndarray) -> np.ndarray:
        rec = self.pca_.inverse_transform(self.pca_.transform(X))
        return -np.sum((X - rec) ** 2, axis=1)

    def score_samples(self, X: ArrayLike) -> np.ndarray:
        """Minus the squared reconstruction error; higher = more normal.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Non-positive scores.
        """
        check_is_fitted(self)
        return self._scores(validate_data(self, X, reset=False, dtype=np.float64))


class KNNDistance(_Thresholded, BaseEstimator):
    """Novelty detection by the distance to the nearest training rows.

    A sample's score is minus the Euclidean distance to its ``n_neighbors``-th
    nearest training row (``method="kth"``) or minus the mean distance to its
    ``n_neighbors`` nearest training rows (``method="mean"``), found with
    :class:`~sklearn.neighbors.NearestNeighbors`; higher means more normal.
    The training rows' own scores, for the threshold ``offset_``, leave each
    row out of its own neighbours.

    Parameters
    ----------
    n_neighbors : int, default=5
        How many nearest training rows to look at.
    method : {"kth", "mean"}, default="kth"
        The k-th distance, or the mean of the k smallest distances.
    random_state : int or None, default=None
        Unused (the search is exact); kept so that every benchmark detector
        takes a seed.

    Attributes
    ----------
    nn_ : NearestNeighbors
        The index of the training rows.
    offset_ : float
        ``decision_function = score_samples - offset_``: the lower Tukey
        fence of the leave-one-out training scores.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(200, 3))
    >>> det = KNNDistance(n_neighbors=5).fit(X)
    >>> det.predict(np.array([[0.0, 0.0, 0.0], [6.0, -6.0, 6.0]])).tolist()
    [1, -1]
    """

    def __init__(self, n_neighbors: int = 5, method: str = "kth", random_state: int | None = None):
        self.n_neighbors = n_neighbors
        self.method = method
        self.random_state = random_state

    def _reduce(self, distances: np.ndarray) -> np.ndarray:
        if self.method == "kth":
            return -distances[:, -1]
        if self.method == "mean":
            return -distances.mean(axis=1)
        raise ValueError(f"method must be 'kth' or 'mean', got {self.method!r}.")

    def fit(self, X: ArrayLike, y: None = None) -> KNNDistance:
        """Index the training (normal) rows ``X`` and set the threshold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples, all normal; more than ``n_neighbors`` of them.
        y : None
            Ignored.

        Returns
        -------
        self : KNNDistance
            The fitted estimator.
        """
        X = validate_data(self, X, dtype=np.float64)
        if not 1 <= self.n_neighbors < len(X):
            raise ValueError(f"n_neighbors={self.n_neighbors} needs more training rows.")
        self.nn_ = NearestNeighbors(n_neighbors=self.n_neighbors).fit(X)
        distances, _ = self.nn_.kneighbors(None)  # each row left out of its own neighbours
        self.offset_ = lower_tukey_fence(self._reduce(distances))
        return self

    def score_samples(self, X: ArrayLike) -> np.ndarray:
        """Minus the k-th (or mean) distance to the training rows; higher = more normal.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Non-positive scores.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        distances, _ = self.nn_.kneighbors(X)
        return self._reduce(distances)


class PyODDetector(OutlierMixin, BaseEstimator):
    """A PyOD detector with scikit-learn's sign conventions.

    PyOD's ``decision_function`` is higher for outliers and its ``predict``
    returns 1 for an outlier; this adapter returns ``-decision_function`` as
    ``score_samples`` and +1 / -1 labels. The PyOD model is built in ``fit``,
    when the number of features is known (``DeepSVDD`` needs it up front).

    Parameters
    ----------
    model : str, default="AutoEncoder"
        ``"module.ClassName"`` under ``pyod.models`` or a class name of
        ``pyod.models.auto_encoder`` / ``deep_svdd`` / ``ecod`` / ``copod``:
        ``"AutoEncoder"``, ``"DeepSVDD"``, ``"ECOD"`` or ``"COPOD"``.
    params : dict or None, default=None
        Keyword arguments of the PyOD class (its defaults for the rest).
    random_state : int or None, default=None
        Passed as PyOD's ``random_state`` when the class takes one (ECOD and
        COPOD are deterministic and do not). PyOD seeds NumPy's and PyTorch's
        global generators with it.

    Attributes
    ----------
    detector_ : pyod.models.base.BaseDetector
        The fitted PyOD model; its threshold comes from PyOD's
        ``contamination`` (default 0.1 of the training samples).
    n_features_in_ : int
        Number of features seen in ``fit``.
    """

    _MODULES: ClassVar[dict[str, str]] = {
        "AutoEncoder": "auto_encoder",
        "DeepSVDD": "deep_svdd",
        "ECOD": "ecod",
        "COPOD": "copod",
    }

    def __init__(
        self,
        model: str = "AutoEncoder",
        params: dict[str, Any] | None = None,
        random_state: int | None = None,
    ):
        self.model = model
        self.params = params
        self.random_state = random_state

    def _pyod_class(self) -> type:
        module, _, name = self.model.rpartition(".")
        module = module or self._MODULES.get(name)
        if module is None:
            raise ValueError(f"Unknown PyOD model {self.model!r}; give 'module.ClassName'.")
        return getattr(importlib.import_module(f"pyod.models.{module}"), name)

    def fit(self, X: ArrayLike, y: None = None) -> PyODDetector:
        """Build and fit the PyOD model on normal samples ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples, all normal.
        y : None
            Ignored.

        Returns
        -------
        self : PyODDetector
            The fitted estimator.
        """
        X = validate_data(self, X, dtype=np.float64)
        cls = self._pyod_class()
        kwargs = dict(self.params or {})
        if "random_state" in inspect.signature(cls).parameters:  # ECOD, COPOD have none
            kwargs.setdefault("random_state", self.random_state)
        if self.model.endswith("DeepSVDD"):
            kwargs.setdefault("n_features", X.shape[1])
        self.detector_ = cls(**kwargs).fit(X)
        return self

    def score_samples(self, X: ArrayLike) -> np.ndarray:
        """Minus PyOD's outlier score; higher = more normal.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            ``-decision_function`` of the PyOD model.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return -np.asarray(self.detector_.decision_function(X), dtype=np.float64)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """+1 for inliers, -1 for outliers, at PyOD's own threshold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples to label.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            +1 where PyOD predicts 0 (inlier), -1 where it predicts 1.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return np.where(np.asarray(self.detector_.predict(X)) == 1, -1, 1)
