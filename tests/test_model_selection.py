"""NoveltyKFold, anomaly_labels_to_novelty and fit(X, y) with novelty labels.

The splitter and label tests are pure NumPy. The ALOCCDetector tests share
module-scoped fits (two grid searches and the reference fit on the normal
rows) to keep the file to a few dozen tiny fits.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, OutlierMixin
from sklearn.datasets import load_digits
from sklearn.metrics import average_precision_score, get_scorer, make_scorer, roc_auc_score
from sklearn.model_selection import (
    GridSearchCV,
    KFold,
    RandomizedSearchCV,
    cross_val_score,
    cross_validate,
)

from skalocc import ALOCCDetector
from skalocc._labels import normal_rows
from skalocc.model_selection import NoveltyKFold, anomaly_labels_to_novelty

SMALL = {"hidden_units": (8,), "latent_dim": 2, "epochs": 2, "batch_size": 16, "random_state": 0}
GRID = {"noise_std": [0.05, 0.155]}


@pytest.fixture(scope="module")
def digits():
    """All 1797 digits; 0 is normal (+1), the other nine digits novel (-1)."""
    X, digit = load_digits(return_X_y=True)
    return X, np.where(digit == 0, 1, -1)


@pytest.fixture
def labels():
    """Shuffled labels: 23 normal samples, 7 novelties."""
    return np.random.default_rng(0).permutation(np.r_[np.ones(23, int), -np.ones(7, int)])


@pytest.fixture(scope="module")
def novelty_search(digits):
    X, y = digits
    search = GridSearchCV(ALOCCDetector(**SMALL), GRID, cv=NoveltyKFold(3), scoring="roc_auc")
    return search.fit(X, y)


@pytest.fixture(scope="module")
def default_search(digits):
    # scikit-learn's own folds (unshuffled KFold; 3 folds and one candidate
    # keep the test small): the training folds hold novelties, which fit
    # leaves out.
    X, y = digits
    search = GridSearchCV(ALOCCDetector(**SMALL), {"noise_std": [0.155]}, cv=3, scoring="roc_auc")
    return search.fit(X, y)


@pytest.fixture(scope="module")
def reference(digits):
    """Fits on the normal rows alone, one per parameter setting asked for."""
    X, y = digits
    cache = {}

    def fitted(**params):
        key = tuple(sorted(params.items()))
        if key not in cache:
            cache[key] = ALOCCDetector(**SMALL).set_params(**params).fit(X[y == 1])
        return cache[key]

    return fitted


class _MeanDistance(OutlierMixin, BaseEstimator):
    """A cheap detector (minus the distance to the training mean) that keeps its training rows."""

    def __init__(self, power=2):
        self.power = power

    def fit(self, X, y=None):
        self.X_fit_ = np.asarray(X)
        self.center_ = self.X_fit_.mean(axis=0)
        return self

    def score_samples(self, X):
        return -(np.abs(np.asarray(X) - self.center_) ** self.power).sum(axis=1)

    def decision_function(self, X):
        return self.score_samples(X)


def _blobs(n_normal=60, n_novel=15):
    """Normal rows near 0, novelties near 4; column 0 holds the label (+1/-1)."""
    rng = np.random.default_rng(1)
    y = rng.permutation(np.r_[np.ones(n_normal, int), -np.ones(n_novel, int)])
    X = rng.normal(size=(len(y), 3)) + 4.0 * (y[:, None] == -1)
    return np.column_stack([y, X]), y


# ------------------------------------------------------------ the splitter
@pytest.mark.parametrize("shuffle", [False, True])
def test_training_folds_hold_normal_rows_and_every_sample_is_tested_once(labels, shuffle):
    cv = NoveltyKFold(4, shuffle=shuffle, random_state=0 if shuffle else None)
    splits = list(cv.split(np.zeros((len(labels), 2)), labels))
    assert len(splits) == cv.get_n_splits() == 4
    tested = np.concatenate([test for _, test in splits])
    np.testing.assert_array_equal(np.sort(tested), np.arange(len(labels)))  # each row once
    normal = np.flatnonzero(labels == 1)
    for train, test in splits:
        assert np.all(labels[train] == 1)
        assert np.intersect1d(train, test).size == 0
        # Training fold + the test fold's normal rows = every normal row.
        np.testing.assert_array_equal(np.union1d(train, test[labels[test] == 1]), normal)
        assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0)  # sorted
    # Both classes spread evenly: 23 normal rows -> 6, 6, 6, 5; 7 novelties -> 2, 2, 2, 1.
    assert [int((labels[t] == 1).sum()) for _, t in splits] == [6, 6, 6, 5]
    assert [int((labels[t] == -1).sum()) for _, t in splits] == [2, 2, 2, 1]


def test_unshuffled_folds_are_kfold_of_each_class(labels):
    normal, novel = np.flatnonzero(labels == 1), np.flatnonzero(labels == -1)
    kfold = KFold(3)
    for (_, test), (_, normal_test), (_, novel_test) in zip(
        NoveltyKFold(3).split(labels, labels), kfold.split(normal), kfold.split(novel), strict=True
    ):
        np.testing.assert_array_equal(test, np.sort(np.r_[normal[normal_test], novel[novel_test]]))


def test_shuffled_splits_are_reproducible_with_random_state(labels):
    def folds(cv):
        return [test.tolist() for _, test in cv.split(labels, labels)]

    assert folds(NoveltyKFold(3, shuffle=True, random_state=0)) == folds(
        NoveltyKFold(3, shuffle=True, random_state=0)
    )
    assert folds(NoveltyKFold(3, shuffle=True, random_state=0)) != folds(
        NoveltyKFold(3, shuffle=True, random_state=1)
    )
    assert folds(NoveltyKFold(3, shuffle=True, random_state=0)) != folds(NoveltyKFold(3))
    seeded = NoveltyKFold(3, shuffle=True, random_state=5)
    assert folds(seeded) == folds(seeded)  # an int seed: the same splits at every call


def test_split_takes_pandas_and_lists_like_arrays(labels):
    X = np.arange(2 * len(labels)).reshape(-1, 2)
    expected = [(tr.tolist(), te.tolist()) for tr, te in NoveltyKFold(3).split(X, labels)]
    frame = pd.DataFrame(X, columns=["a", "b"], index=np.arange(len(labels)) + 100)
    series = pd.Series(labels, index=frame.index)
    for X_, y_ in [(frame, series), (X.tolist(), labels.tolist()), (X, labels.astype(float))]:
        got = [(tr.tolist(), te.tolist()) for tr, te in NoveltyKFold(3).split(X_, y_)]
        assert got == expected


def test_repr_and_get_n_splits():
    cv = NoveltyKFold(3, shuffle=True, random_state=2)
    assert repr(cv) == "NoveltyKFold(n_splits=3, random_state=2, shuffle=True)"
    assert cv.get_n_splits() == cv.get_n_splits(np.zeros((9, 1)), np.ones(9)) == 3


@pytest.mark.parametrize(
    ("y", "match"),
    [
        (None, "needs y"),
        (np.r_[np.zeros(20), np.ones(10)], r"labels 0\.0, 1\.0\..*anomaly_labels_to_novelty"),
        (np.arange(30) % 3, "labels 0, 1, 2"),
        (np.array(["normal", "novel"] * 15), "labels 'normal', 'novel'"),
        (np.r_[np.ones(29), np.nan], "labels 1.0, nan"),
        (np.r_[np.ones(28, int), -np.ones(2, int)], r"at least 3 novelties.*has 2"),
        (np.r_[np.ones(2, int), -np.ones(28, int)], r"at least 3 normal samples.*has 2"),
        (np.ones(30, int), r"at least 3 novelties.*has 0"),
        (np.r_[np.ones(20, int), -np.ones(9, int)], "inconsistent numbers of samples"),
    ],
)
def test_split_refuses_bad_labels_at_the_call(y, match):
    with pytest.raises(ValueError, match=match):
        NoveltyKFold(3).split(np.zeros((30, 1)), y)  # no iteration needed


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_splits": 1}, ValueError, "at least 2"),
        ({"n_splits": 2.5}, ValueError, "integer"),
        ({"n_splits": True}, ValueError, "integer"),
        ({"shuffle": "yes"}, TypeError, "True or False"),
        ({"random_state": 0}, ValueError, "shuffle is False"),
    ],
)
def test_bad_parameters(kwargs, error, match):
    with pytest.raises(error, match=match):
        NoveltyKFold(**kwargs)


def test_groups_are_ignored_with_a_warning(labels):
    with pytest.warns(UserWarning, match="ignores the groups"):
        splits = list(NoveltyKFold(3).split(labels, labels, groups=np.arange(len(labels))))
    assert [t.tolist() for _, t in splits] == [
        t.tolist() for _, t in NoveltyKFold(3).split(labels, labels)
    ]


def test_model_selection_tools_train_on_normal_rows_only():
    X, y = _blobs()
    frame, series = pd.DataFrame(X, columns=["label", "a", "b", "c"]), pd.Series(y)
    cv = NoveltyKFold(3, shuffle=True, random_state=0)
    result = cross_validate(
        _MeanDistance(), frame, series, cv=cv, scoring="roc_auc", return_estimator=True
    )
    for est in result["estimator"]:
        assert np.all(est.X_fit_[:, 0] == 1)  # column 0 is the label: normal rows only
    assert np.all(result["test_score"] > 0.95)
    scores = cross_val_score(_MeanDistance(), X, y, cv=cv, scoring="average_precision")
    assert scores.shape == (3,) and np.all(scores > 0.95)
    search = RandomizedSearchCV(
        _MeanDistance(), {"power": [1, 2, 3]}, n_iter=2, cv=cv, scoring="roc_auc", random_state=0
    ).fit(frame, series)
    assert len(search.cv_results_["params"]) == 2 and search.best_score_ > 0.95
    grid = GridSearchCV(_MeanDistance(), {"power": [1, 2]}, cv=cv, scoring="roc_auc").fit(X, y)
    assert np.isfinite(grid.cv_results_["mean_test_score"]).all()


# ------------------------------------------------------ converting 0/1 labels
@pytest.mark.parametrize(
    "y",
    [
        [0, 1, 0, 0, 1],
        np.array([0.0, 1.0, 0.0, 0.0, 1.0]),
        np.array([False, True, False, False, True]),
        pd.Series([0, 1, 0, 0, 1], index=[5, 4, 3, 2, 1]),
        np.array([[0], [1], [0], [0], [1]]),
    ],
)
def test_anomaly_labels_to_novelty(y):
    out = anomaly_labels_to_novelty(y)
    np.testing.assert_array_equal(out, [1, -1, 1, 1, -1])
    assert out.dtype.kind == "i" and out.shape == (5,)


@pytest.mark.parametrize(
    ("y", "match"),
    [
        ([1, -1, 1], "already holds \\+1"),
        ([0, 1, 2], "labels 0, 1, 2"),
        (["0", "1"], "labels '0', '1'"),
        ([0.0, np.nan], "labels 0.0, nan"),
        (np.zeros((3, 2)), "1-D"),
    ],
)
def test_anomaly_labels_to_novelty_refuses_other_labels(y, match):
    with pytest.raises(ValueError, match=match):
        anomaly_labels_to_novelty(y)


# -------------------------------------------------- normal_rows (fit's first step)
def test_normal_rows_keeps_the_rows_labelled_one_in_every_input_type():
    y = np.array([1, -1, 1, 1, -1])
    rows = np.arange(5 * 4, dtype=float).reshape(5, 4)
    for X in (rows, rows.reshape(5, 2, 2), rows.reshape(5, 2, 2, 1)):
        np.testing.assert_array_equal(normal_rows(X, y), X[y == 1])
    assert normal_rows(rows.tolist(), y) == rows[y == 1].tolist()
    assert normal_rows(tuple(rows.tolist()), list(y)) == rows[y == 1].tolist()
    frame = pd.DataFrame(rows, columns=list("abcd"), index=[9, 8, 7, 6, 5])
    # A Series y is read by position, as scikit-learn reads it.
    kept = normal_rows(frame, pd.Series(y.astype(float), index=[0, 1, 2, 3, 4]))
    pd.testing.assert_frame_equal(kept, frame[y == 1])
    np.testing.assert_array_equal(normal_rows(rows, y[:, None]), rows[y == 1])
    np.testing.assert_array_equal(normal_rows(rows, pd.array(y, dtype="Int64")), rows[y == 1])


@pytest.mark.parametrize(
    "y",
    [
        None,
        np.ones(5, int),  # all normal: nothing to leave out
        np.array([0, 1, 2, 0, 1]),  # class labels
        np.array([0, 1, 0, 0, 1]),  # 0/1 anomaly labels: ignored, not guessed
        np.array([True, False, True, True, False]),
        np.array([1.0, -1.0, np.nan, 1.0, 1.0]),
        np.array(["1", "-1", "1", "1", "1"]),
        np.ones((5, 2)),  # multi-output y
    ],
)
def test_normal_rows_returns_x_itself_for_any_other_y(y):
    X = np.zeros((5, 3))
    assert normal_rows(X, y) is X


def test_normal_rows_refuses_all_novelties_and_a_length_mismatch():
    with pytest.raises(ValueError, match="all 4 samples -1"):
        normal_rows(np.zeros((4, 2)), -np.ones(4))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        normal_rows(np.zeros((4, 2)), [1, -1, 1])


# ------------------------------------------------------------ ALOCCDetector
def test_fit_with_novelty_labels_equals_fit_on_normal_rows(digits, reference):
    # NumPy X and y: the grid-search tests below. Here pandas, read by position.
    X, y = digits
    frame = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)], index=np.arange(len(X)) + 7)
    det = ALOCCDetector(**SMALL).fit(frame, pd.Series(y))
    assert list(det.feature_names_in_) == list(frame.columns)
    np.testing.assert_array_equal(det.score_samples(frame), reference().score_samples(X))
    assert det.offset_ == reference().offset_


@pytest.mark.parametrize(
    "make_y",
    [lambda n: np.arange(n) % 3, lambda n: np.arange(n) % 2],
    ids=["classes 0..2", "0/1 labels"],
)
def test_fit_ignores_any_other_y(digits, reference, make_y):
    # Training on the normal rows with a y that is not +1/-1 labels must be
    # fit(X) exactly: no row left out (an all-+1 y: test_normal_rows_...).
    X, y = digits
    normal = X[y == 1]
    det = ALOCCDetector(**SMALL).fit(normal, make_y(len(normal)))
    np.testing.assert_array_equal(det.score_samples(X), reference().score_samples(X))


def test_fit_with_novelty_labels_on_images(digits):
    X, y = digits
    image = {"image_shape": None, "filters": (4,), "latent_dim": 4, "epochs": 1}
    images = X.reshape(-1, 8, 8)[::8]
    y_images = y[::8]
    with_labels = ALOCCDetector(**{**SMALL, **image}).fit(images, y_images)
    alone = ALOCCDetector(**{**SMALL, **image}).fit(images[y_images == 1])
    np.testing.assert_array_equal(with_labels.score_samples(images), alone.score_samples(images))


def test_fit_refuses_labels_without_normal_rows():
    det = ALOCCDetector(**SMALL)
    with pytest.raises(ValueError, match=r"-1 \(novelty\).*got none"):
        det.fit(np.zeros((10, 3)), -np.ones(10, int))
    assert not hasattr(det, "offset_")


@pytest.mark.parametrize("search_name", ["novelty_search", "default_search"])
def test_grid_search_refits_on_normal_rows_and_ranks_well(digits, reference, request, search_name):
    X, _ = digits
    search = request.getfixturevalue(search_name)
    best = reference(**search.best_params_)
    np.testing.assert_array_equal(search.best_estimator_.score_samples(X), best.score_samples(X))
    assert search.best_estimator_.offset_ == best.offset_
    # Cross-validated AUROC of every candidate, far above chance (0.5); with
    # novelties in the training folds it was about 0.49.
    assert np.all(search.cv_results_["mean_test_score"] > 0.9)


def test_builtin_scorers_read_novelty_labels_right(digits, reference):
    X, y = digits
    det = reference()
    scores = det.score_samples(X)
    auroc = roc_auc_score(y == -1, -scores)  # novelties as the positive class
    assert auroc > 0.9
    np.testing.assert_allclose(get_scorer("roc_auc")(det, X, y), auroc, rtol=1e-12)
    # "average_precision" takes the greater label, +1 (normal), as positive.
    np.testing.assert_allclose(
        get_scorer("average_precision")(det, X, y),
        average_precision_score(y == 1, scores),
        rtol=1e-12,
    )
    # The average precision of finding the novelties (the user guide's recipe).
    novelty_ap = make_scorer(
        lambda y_true, decision: average_precision_score(y_true == -1, -decision),
        response_method="decision_function",
    )
    np.testing.assert_allclose(
        novelty_ap(det, X, y), average_precision_score(y == -1, -scores), rtol=1e-12
    )
    # 0/1 "1 = anomaly" labels silently invert the AUROC; converted, they are right.
    anomaly = (y == -1).astype(int)
    np.testing.assert_allclose(get_scorer("roc_auc")(det, X, anomaly), 1 - auroc, rtol=1e-12)
    converted = anomaly_labels_to_novelty(anomaly)
    np.testing.assert_allclose(get_scorer("roc_auc")(det, X, converted), auroc, rtol=1e-12)
