"""Offline loaders for one-class (novelty detection) protocols.

Nothing here downloads anything: the data ships with scikit-learn.
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits
from sklearn.utils import check_random_state


def load_digits_novelty(
    target: int = 0, *, test_size: float = 0.5, random_state=0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split scikit-learn's 8x8 digits into a one-class novelty task.

    The images of digit ``target`` are split at random into a training part
    and a test part; every image of the other nine digits is a test novelty.

    Parameters
    ----------
    target : int, default=0
        The digit (0-9) that is the normal class.
    test_size : float, default=0.5
        Share of the target digit's images kept for testing.
    random_state : int, RandomState instance or None, default=0
        Seeds the split.

    Returns
    -------
    X_train : ndarray of shape (n_train, 64)
        Target-digit images only, pixel values 0-16 (``image_shape=(8, 8)``).
    X_test : ndarray of shape (n_test, 64)
        Held-out target images followed by all other digits.
    y_test : ndarray of shape (n_test,)
        +1 for the target digit (inlier), -1 for the others (novelty).

    Examples
    --------
    >>> from skalocc.datasets import load_digits_novelty
    >>> X_train, X_test, y_test = load_digits_novelty(3, random_state=0)
    >>> X_train.shape, X_test.shape, int((y_test == 1).sum())
    ((91, 64), (1706, 64), 92)
    """
    if target not in range(10):
        raise ValueError(f"target must be a digit 0-9, got {target!r}.")
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must be in (0, 1), got {test_size!r}.")
    X, y = load_digits(return_X_y=True)
    inlier_idx = np.flatnonzero(y == target)
    order = check_random_state(random_state).permutation(inlier_idx)
    n_test = round(test_size * len(order))
    train_idx, test_in_idx = order[n_test:], order[:n_test]
    test_idx = np.concatenate([np.sort(test_in_idx), np.flatnonzero(y != target)])
    y_test = np.where(y[test_idx] == target, 1, -1)
    return X[train_idx], X[test_idx], y_test
