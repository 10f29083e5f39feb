"""Detection metrics and their summary over seeds.

Labels follow scikit-learn's detectors: +1 inlier (normal), -1 outlier
(novelty, anomaly); scores are higher for more normal samples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, roc_auc_score


def auroc(y: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve, inliers (+1) as the positive class.

    With higher scores meaning more normal this equals the AUROC with the
    outliers as positive class and ``-scores`` as their score.

    Parameters
    ----------
    y : ndarray of shape (n,)
        +1 inlier, -1 outlier.
    scores : ndarray of shape (n,)
        ``score_samples`` output, higher = more normal.

    Returns
    -------
    auroc : float
        In [0, 1]; 0.5 is chance.

    Examples
    --------
    >>> import numpy as np
    >>> auroc(np.array([1, 1, -1]), np.array([0.9, 0.8, 0.1]))
    1.0
    """
    return float(roc_auc_score(y == 1, scores))


def average_precision(y: np.ndarray, scores: np.ndarray) -> float:
    """Average precision with the outliers (-1) as the positive class.

    Parameters
    ----------
    y : ndarray of shape (n,)
        +1 inlier, -1 outlier.
    scores : ndarray of shape (n,)
        ``score_samples`` output, higher = more normal.

    Returns
    -------
    ap : float
        In [0, 1]; chance is the share of outliers.

    Examples
    --------
    >>> import numpy as np
    >>> average_precision(np.array([1, 1, -1]), np.array([0.9, 0.8, 0.1]))
    1.0
    """
    return float(average_precision_score(y == -1, -np.asarray(scores)))


def f1_inlier(y: np.ndarray, labels: np.ndarray) -> float:
    """F1 score of the inlier (target) class, from ``predict``'s labels.

    Parameters
    ----------
    y : ndarray of shape (n,)
        True labels, +1 inlier, -1 outlier.
    labels : ndarray of shape (n,)
        Predicted labels, +1 / -1.

    Returns
    -------
    f1 : float
        In [0, 1]; 0 when no sample is predicted to be an inlier.

    Examples
    --------
    >>> import numpy as np
    >>> f1_inlier(np.array([1, 1, -1, -1]), np.array([1, -1, -1, -1]))
    0.6666666666666666
    """
    return float(f1_score(y == 1, np.asarray(labels) == 1, zero_division=0.0))


def mean_std(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof=1) of the finite values.

    Parameters
    ----------
    values : sequence of float
        One value per seed; NaN marks a missing one.

    Returns
    -------
    mean, std : float
        NaN when no value is finite; ``std`` is NaN for a single value.

    Examples
    --------
    >>> mean_std([0.5, 1.0, float("nan")])
    (0.75, 0.3535533905932738)
    """
    finite = [v for v in values if not math.isnan(v)]
    if not finite:
        return math.nan, math.nan
    mean = float(np.mean(finite))
    std = float(np.std(finite, ddof=1)) if len(finite) > 1 else math.nan
    return mean, std
