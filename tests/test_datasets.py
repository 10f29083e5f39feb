"""Offline one-class splits."""

import numpy as np
import pytest

from skalocc.datasets import load_digits_novelty


@pytest.mark.parametrize("target", [0, 7])
def test_split_is_one_class_disjoint_and_seeded(target):
    X_train, X_test, y_test = load_digits_novelty(target, random_state=1)
    assert X_train.shape[1] == X_test.shape[1] == 64
    assert set(np.unique(y_test)) == {-1, 1}
    # No training image appears among the test inliers.
    train_rows = {row.tobytes() for row in X_train}
    assert not any(row.tobytes() in train_rows for row in X_test[y_test == 1])
    again = load_digits_novelty(target, random_state=1)
    np.testing.assert_array_equal(again[0], X_train)
    other = load_digits_novelty(target, random_state=2)
    assert not np.array_equal(other[0], X_train)


@pytest.mark.parametrize("kwargs", [{"target": 10}, {"target": 1, "test_size": 1.0}])
def test_bad_arguments_raise(kwargs):
    with pytest.raises(ValueError, match="must be"):
        load_digits_novelty(**kwargs)
