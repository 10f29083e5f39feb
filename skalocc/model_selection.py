"""Cross-validation for novelty detection: folds that train on normal samples only.

:class:`NoveltyKFold` is a scikit-learn splitter for labelled data (+1 normal,
-1 novelty): its training folds hold normal samples only and its test folds
both classes, so ``GridSearchCV``, ``RandomizedSearchCV``, ``cross_validate``
and ``cross_val_score`` score a one-class detector as it will be used.
:func:`anomaly_labels_to_novelty` converts the 0/1 "1 = anomaly" labels of
ADBench and PyOD to +1/-1.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from numbers import Integral

import numpy as np
from numpy.typing import ArrayLike
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_consistent_length

from skalocc._labels import novelty_labels

__all__ = ["NoveltyKFold", "anomaly_labels_to_novelty"]

_CONVERT_HINT = (
    "For 0/1 labels where 1 marks an anomaly (ADBench, PyOD), use "
    "skalocc.model_selection.anomaly_labels_to_novelty(y)."
)


def _describe(labels: np.ndarray) -> str:
    """The distinct values of ``labels``, at most six of them, for an error message."""
    try:
        values = np.unique(labels)
    except TypeError:  # values that do not sort (mixed types)
        values = list(dict.fromkeys(labels.tolist()))
    shown = ", ".join(repr(v.item() if hasattr(v, "item") else v) for v in values[:6])
    return shown + (", ..." if len(values) > 6 else "")


class NoveltyKFold(BaseCrossValidator):
    """K-fold splits whose training folds hold normal samples only.

    The normal samples (``y == 1``) are cut into ``n_splits`` folds as
    :class:`~sklearn.model_selection.KFold` would cut them, and so are the
    novelties (``y == -1``). Split ``i`` trains on the normal samples of
    every fold but ``i`` and tests on fold ``i``: its normal samples and its
    share of the novelties. Every sample is tested exactly once; no novelty
    is ever trained on. With a scorer such as ``"roc_auc"`` (normal is the
    positive class, higher scores are more normal), a search scores each
    candidate as the detector will be used: trained on normal data, judged
    on both classes.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2. ``y`` needs at least ``n_splits`` normal
        samples and ``n_splits`` novelties, so that every test fold holds
        both classes (AUROC is undefined on one class).
    shuffle : bool, default=False
        Shuffle the normal samples and the novelties before cutting them into
        folds. Unshuffled, each fold is a contiguous run of each class, in
        the order of ``y``.
    random_state : int, RandomState instance or None, default=None
        Seeds the shuffling when ``shuffle`` is True: an int gives the same
        splits at every call. Must be None when ``shuffle`` is False.

    See Also
    --------
    anomaly_labels_to_novelty : Turn 0/1 "1 = anomaly" labels into +1/-1.
    sklearn.model_selection.KFold : The same folds without the labels.

    Notes
    -----
    :meth:`skalocc.ALOCCDetector.fit` leaves the rows labelled -1 out by
    itself, so a search with any splitter trains on normal rows only;
    ``NoveltyKFold`` in addition tests every novelty exactly once and spreads
    both classes evenly over the test folds.

    Examples
    --------
    >>> import numpy as np
    >>> from skalocc.model_selection import NoveltyKFold
    >>> y = np.array([1, 1, 1, 1, -1, -1, 1, 1])
    >>> for train, test in NoveltyKFold(n_splits=2).split(np.zeros((8, 1)), y):
    ...     print(train, test)
    [3 6 7] [0 1 2 4]
    [0 1 2] [3 5 6 7]
    """

    def __init__(self, n_splits: int = 5, *, shuffle: bool = False, random_state=None):
        if not isinstance(n_splits, Integral) or isinstance(n_splits, bool):
            raise ValueError(
                f"n_splits must be an integer of at least 2, got {n_splits!r} "
                f"({type(n_splits).__name__})."
            )
        if n_splits < 2:
            raise ValueError(
                f"n_splits must be at least 2 (one training and one test fold), got {n_splits}."
            )
        if not isinstance(shuffle, bool | np.bool_):
            raise TypeError(f"shuffle must be True or False, got {shuffle!r}.")
        if not shuffle and random_state is not None:
            raise ValueError(
                "Setting a random_state has no effect since shuffle is False: leave "
                "random_state at None, or set shuffle=True."
            )
        self.n_splits = int(n_splits)
        self.shuffle = bool(shuffle)
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        """Return the number of splits, ``n_splits``.

        Parameters
        ----------
        X, y, groups : object
            Ignored; present for API consistency.

        Returns
        -------
        n_splits : int
            The number of splits.
        """
        return self.n_splits

    def split(
        self, X: ArrayLike, y: ArrayLike | None = None, groups=None
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Generate the indices of the training and test rows of each split.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            The samples; only their number is used.
        y : array-like of shape (n_samples,)
            +1 for normal samples, -1 for novelties. Required.
        groups : None
            Ignored (a warning is given when set); present for API consistency.

        Yields
        ------
        train : ndarray of int
            Sorted indices of the training rows: normal samples only.
        test : ndarray of int
            Sorted indices of the test rows: this fold's normal samples and
            novelties.

        Raises
        ------
        ValueError
            When ``y`` is missing, holds other labels than +1 and -1, differs
            from ``X`` in length, or has fewer than ``n_splits`` normal
            samples or novelties. Raised at the call, before any split.
        """
        if y is None:
            raise ValueError("NoveltyKFold.split needs y: +1 for normal samples, -1 for novelties.")
        labels = novelty_labels(y)
        if labels is None:
            given = np.asarray(y)
            raise ValueError(
                "NoveltyKFold needs y of +1 (normal) and -1 (novelty) labels, got "
                + (
                    f"labels {_describe(given.ravel())}"
                    if given.ndim and given.size
                    else f"an array of shape {given.shape}"
                )
                + f". {_CONVERT_HINT}"
            )
        if groups is not None:
            warnings.warn("NoveltyKFold ignores the groups parameter.", UserWarning, stacklevel=2)
        check_consistent_length(X, labels)
        normal, novel = np.flatnonzero(labels == 1), np.flatnonzero(labels == -1)
        for name, rows in (("normal samples (y == 1)", normal), ("novelties (y == -1)", novel)):
            if len(rows) < self.n_splits:
                raise ValueError(
                    f"NoveltyKFold(n_splits={self.n_splits}) needs at least {self.n_splits} "
                    f"{name}, one per test fold, and y has {len(rows)}."
                )
        if self.shuffle:
            rng = check_random_state(self.random_state)
            normal, novel = rng.permutation(normal), rng.permutation(novel)
        return self._splits(normal, novel)

    def _splits(self, normal: np.ndarray, novel: np.ndarray):
        """Yield ``(train, test)`` for folds cut from ``normal`` and ``novel`` in order."""
        normal_folds = np.array_split(normal, self.n_splits)
        novel_folds = np.array_split(novel, self.n_splits)
        for i in range(self.n_splits):
            train = np.concatenate(normal_folds[:i] + normal_folds[i + 1 :])
            test = np.concatenate([normal_folds[i], novel_folds[i]])
            yield np.sort(train), np.sort(test)


def anomaly_labels_to_novelty(y: ArrayLike) -> np.ndarray:
    """Convert 0/1 labels where 1 marks an anomaly to +1 (normal) / -1 (novelty).

    ADBench, PyOD and most anomaly-detection data sets label anomalies 1 and
    normal samples 0; scikit-learn's detectors, skalocc and
    :class:`NoveltyKFold` use +1 for normal and -1 for novelties. Scored with
    the 0/1 labels, ``"roc_auc"`` would treat the anomalies as the positive
    class of a score that is higher for normal samples, and report one minus
    the true AUROC.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        0 (normal) and 1 (anomaly), as integers, floats or booleans
        (``True`` = anomaly).

    Returns
    -------
    labels : ndarray of shape (n_samples,), int
        +1 where ``y`` is 0, -1 where it is 1.

    Raises
    ------
    ValueError
        When ``y`` is not 1-D or holds any other value than 0 and 1 (also
        when it already holds +1/-1 labels).

    Examples
    --------
    >>> from skalocc.model_selection import anomaly_labels_to_novelty
    >>> anomaly_labels_to_novelty([0, 0, 1, 0, 1])
    array([ 1,  1, -1,  1, -1])
    """
    given = np.asarray(y)
    labels = given.ravel() if given.ndim == 2 and given.shape[1] == 1 else given
    if labels.ndim != 1:
        raise ValueError(f"y must be 1-D 0/1 anomaly labels, got an array of shape {given.shape}.")
    if labels.dtype.kind == "b":
        anomaly = labels
    else:
        numeric = labels.dtype.kind in "iuf"
        if not numeric or not np.all((labels == 0) | (labels == 1)):
            if novelty_labels(labels) is not None:
                raise ValueError(
                    "y already holds +1 (normal) / -1 (novelty) labels; "
                    "anomaly_labels_to_novelty converts 0/1 labels where 1 marks an anomaly."
                )
            raise ValueError(
                f"y must hold 0/1 anomaly labels (1 = anomaly), got labels {_describe(labels)}."
            )
        anomaly = labels == 1
    return np.where(anomaly, -1, 1)
