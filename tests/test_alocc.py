"""Behaviour of ALOCCDetector as a scikit-learn novelty detector."""

import subprocess
import sys

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skalocc import PAPER_PARAMS, ALOCCDetector, _presets
from skalocc._presets import SMALL_IMAGE_SET, resolve_auto
from skalocc.datasets import load_digits_novelty


def _auroc(det, X_test, y_test):
    return roc_auc_score(y_test, det.score_samples(X_test))


@pytest.mark.parametrize(
    ("target", "bar"),
    # The defaults (0.3: the "features" score on this small set, erasures
    # among the pseudo-anomalies) on this split measured AUROC 0.993 / 0.992
    # / 0.995 (digit 3) and 0.959 / 0.947 / 0.950 (digit 8) with seeds 0 / 1
    # / 2 (0.2's defaults, seed 0: 0.983 and 0.850; the paper's settings
    # 0.807 and 0.778; `python benchmarks/run.py digits --seeds 0 1 2`,
    # docs/benchmarks.md). The bars sit about three seed standard deviations
    # below the lowest seed, for other machines. Digit 0 (0.9998 and above)
    # is left out: a default fit costs CI about 20 s and it never fails.
    [(3, 0.985), (8, 0.93)],
)
def test_recommended_settings_on_digits(target, bar):
    X_train, X_test, y_test = load_digits_novelty(target, random_state=0)
    det = ALOCCDetector(image_shape=(8, 8), random_state=0).fit(X_train)
    assert det.novelty_score_ == "features"
    assert _auroc(det, X_test, y_test) > bar


def test_paper_settings_give_an_informative_non_constant_score(digits_zero):
    # The paper's D(R(X)) ranks digits away from chance but not always in the
    # right direction (docs/benchmarks.md); here we check it is a real,
    # non-degenerate score: finite, spread out, in (0, 1).
    X_train, X_test, _ = digits_zero
    det = ALOCCDetector(image_shape=(8, 8), **PAPER_PARAMS, random_state=0).fit(X_train)
    assert det.novelty_score_ == "D(R(X))"
    scores = det.score_samples(X_test)
    assert np.all(np.isfinite(scores))
    assert np.all((scores > 0) & (scores < 1))
    assert np.unique(scores).size > 0.9 * scores.size


def test_paper_params_is_read_only_and_names_real_parameters():
    assert set(PAPER_PARAMS) <= set(ALOCCDetector().get_params())
    assert PAPER_PARAMS["pseudo_anomalies"] is False
    with pytest.raises(TypeError):
        PAPER_PARAMS["novelty_score"] = "D(X)"


def test_pseudo_anomalies_change_training(blobs, tiny):
    with_pa = ALOCCDetector(random_state=0, **tiny).fit(blobs[0])
    without = ALOCCDetector(pseudo_anomalies=False, random_state=0, **tiny).fit(blobs[0])
    assert not np.allclose(with_pa.score_samples(blobs[0]), without.score_samples(blobs[0]))


def test_auto_resolves_by_input_mode(blobs, digits_zero, tiny):
    tabular = ALOCCDetector(random_state=0, **tiny).fit(blobs[0])
    assert tabular.novelty_score_ == "features"
    mean = blobs[0].mean(axis=0)  # "standard" scaling: the mean maps to 0.5
    np.testing.assert_allclose(tabular.scaling_.transform(mean[None], np.float64), 0.5)
    image = ALOCCDetector(image_shape=(8, 8), random_state=0, **tiny).fit(digits_zero[0])
    assert len(digits_zero[0]) < SMALL_IMAGE_SET  # a small image set: "features"
    assert image.novelty_score_ == "features"
    assert image.scaling_.minimum == digits_zero[0].min()  # "minmax", pooled
    paper = ALOCCDetector(**{**tiny, **PAPER_PARAMS}, random_state=0).fit(blobs[0])
    assert paper.novelty_score_ == "D(R(X))"
    np.testing.assert_allclose(paper.scaling_.minimum, blobs[0].min(axis=0))
    image = ALOCCDetector(image_shape=(8, 8), novelty_score="D(X)", random_state=0, **tiny)
    assert image.fit(digits_zero[0]).score_reference_ is None


def test_auto_image_score_switches_at_the_small_image_set_size(digits_zero, tiny, monkeypatch):
    # From SMALL_IMAGE_SET training images on, "combined"; below it, "features".
    assert resolve_auto("novelty_score", "auto", True, SMALL_IMAGE_SET) == "combined"
    assert resolve_auto("novelty_score", "auto", True, SMALL_IMAGE_SET - 1) == "features"
    # fit counts the training images it was given (the threshold lowered, so
    # that the fits stay small).
    monkeypatch.setattr(_presets, "SMALL_IMAGE_SET", 40)
    det = ALOCCDetector(image_shape=(8, 8), random_state=0, **{**tiny, "epochs": 1})
    assert det.fit(digits_zero[0][:40]).novelty_score_ == "combined"
    assert det.fit(digits_zero[0][:39]).novelty_score_ == "features"


def test_combined_score_is_centred_on_training_data(blobs, tiny):
    inliers, outliers = blobs
    det = ALOCCDetector(novelty_score="combined", random_state=0, **tiny).fit(inliers)
    ref = det.score_reference_
    assert all(s > 0 for s in ref.scale)
    # Each standardised part has median 0 on the training data, so their sum
    # is near 0 there; far-away outliers score lower.
    train_scores = det.score_samples(inliers)
    assert abs(np.median(train_scores)) < 1.0
    assert np.median(det.score_samples(outliers)) < np.median(train_scores)


def test_tabular_outliers_found(blobs, tiny):
    inliers, outliers = blobs
    det = ALOCCDetector(novelty_score="reconstruction", random_state=0, **tiny)
    det.set_params(epochs=10).fit(inliers)
    X = np.vstack([inliers, outliers])
    y = np.r_[np.ones(len(inliers)), -np.ones(len(outliers))]
    assert _auroc(det, X, y) > 0.9


def test_decision_function_is_shifted_score(blobs, tiny):
    inliers, outliers = blobs
    det = ALOCCDetector(random_state=0, **tiny).fit(inliers)
    X = np.vstack([inliers, outliers])
    np.testing.assert_array_equal(det.decision_function(X), det.score_samples(X) - det.offset_)
    np.testing.assert_array_equal(det.predict(X), np.where(det.decision_function(X) >= 0, 1, -1))


@pytest.mark.parametrize("contamination", [0.05, 0.2, 0.5])
def test_float_contamination_flags_that_share(blobs, tiny, contamination):
    inliers, _ = blobs
    det = ALOCCDetector(contamination=contamination, random_state=0, **tiny)
    labels = det.fit_predict(inliers)
    assert labels.dtype.kind == "i"
    # Within one row of the share (counted, not compared as rounded fractions).
    assert abs(np.sum(labels == -1) - contamination * len(inliers)) <= 1


def test_auto_contamination_flags_five_percent_of_training_rows(blobs, tiny):
    inliers, _ = blobs
    det = ALOCCDetector(random_state=0, **tiny).fit(inliers)
    assert abs(np.mean(det.predict(inliers) == -1) - 0.05) <= 1 / len(inliers)


def test_clone_gives_unfitted_twin(blobs, tiny):
    det = ALOCCDetector(random_state=3, **tiny).fit(blobs[0])
    twin = clone(det)
    assert twin.get_params() == det.get_params()
    with pytest.raises(NotFittedError):
        twin.score_samples(blobs[0])


def test_grid_search_with_labelled_validation_scorer(blobs, tiny):
    # One-class protocol: fit on inliers only, validate on labelled mixtures.
    inliers, outliers = blobs
    X = np.vstack([inliers, outliers])
    y = np.r_[np.ones(len(inliers)), -np.ones(len(outliers))]
    idx = np.arange(len(X))
    cv = []
    for fold in range(2):
        val_in = idx[:200][fold::2]
        train = np.setdiff1d(idx[:200], val_in)
        cv.append((train, np.r_[val_in, idx[200:]]))

    def auroc(estimator, X_val, y_val):
        return roc_auc_score(y_val, estimator.score_samples(X_val))

    search = GridSearchCV(
        ALOCCDetector(random_state=0, **tiny),
        {"novelty_score": ["D(X)", "reconstruction"]},
        scoring=auroc,
        cv=cv,
    )
    search.fit(X, y)
    assert len(search.cv_results_["params"]) == 2
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.best_params_ in search.cv_results_["params"]
    best = search.cv_results_["mean_test_score"].max()
    assert search.best_score_ == best
    assert search.best_estimator_.score_samples(X).shape == (len(X),)


def test_in_pipeline(blobs, tiny):
    inliers, outliers = blobs
    pipe = make_pipeline(StandardScaler(), ALOCCDetector(random_state=0, **tiny))
    labels = pipe.fit(inliers).predict(outliers)
    assert set(np.unique(labels)) <= {-1, 1}
    assert pipe.score_samples(outliers).shape == (len(outliers),)


def test_image_inputs_agree_across_layouts(digits_zero, tiny):
    X = digits_zero[0]
    rows = ALOCCDetector(image_shape=(8, 8), random_state=0, **tiny).fit(X)
    cube = ALOCCDetector(random_state=0, **tiny).fit(X.reshape(-1, 8, 8))
    tensor = ALOCCDetector(image_shape=(8, 8, 1), random_state=0, **tiny).fit(
        X.reshape(-1, 8, 8, 1)
    )
    assert rows.image_shape_ == cube.image_shape_ == tensor.image_shape_ == (8, 8, 1)
    expected = rows.score_samples(X)
    np.testing.assert_array_equal(cube.score_samples(X.reshape(-1, 8, 8)), expected)
    np.testing.assert_array_equal(tensor.score_samples(X.reshape(-1, 8, 8, 1)), expected)
    # A model fitted on images also scores the same images given as rows.
    np.testing.assert_array_equal(cube.score_samples(X), expected)


@pytest.mark.parametrize("shape", [(6, 28, 28), (5, 64, 64, 3)])
def test_larger_images_work(tiny, shape):
    rng = np.random.default_rng(0)
    X = rng.integers(0, 256, size=shape).astype(np.uint8)
    det = ALOCCDetector(random_state=0, **tiny).fit(X)
    assert det.image_shape_ == (*shape[1:3], shape[3] if len(shape) == 4 else 1)
    assert det.reconstructor_.output_shape[1:] == det.image_shape_
    scores = det.score_samples(X)
    assert scores.dtype == np.float64 and np.all(np.isfinite(scores))


def test_reconstruct_returns_input_shape_and_scale(digits_zero, tiny):
    X = digits_zero[0]  # pixel values 0..16
    det = ALOCCDetector(image_shape=(8, 8), random_state=0, **tiny).fit(X)
    rec = det.reconstruct(X)
    assert rec.shape == X.shape and rec.dtype == np.float64
    assert rec.min() >= X.min() - 1e-9 and rec.max() <= X.max() + 1e-9
    assert rec.max() > 1.0  # back in pixel units, not in [0, 1]
    images = X.reshape(-1, 8, 8)
    assert det.reconstruct(images).shape == images.shape


def test_uint8_and_float_images_give_same_scores(tiny):
    rng = np.random.default_rng(0)
    X8 = rng.integers(0, 256, size=(40, 8, 8)).astype(np.uint8)
    a = ALOCCDetector(random_state=0, **tiny).fit(X8)
    b = ALOCCDetector(random_state=0, **tiny).fit(X8.astype(np.float64) / 255.0)
    np.testing.assert_allclose(
        a.score_samples(X8), b.score_samples(X8.astype(np.float64) / 255.0), rtol=1e-5
    )


def test_image_input_shape_mismatch_at_predict(tiny):
    X = np.random.default_rng(0).random((10, 8, 8))
    det = ALOCCDetector(random_state=0, **tiny).fit(X)
    with pytest.raises(ValueError, match=r"\(6, 6, 1\).*\(8, 8, 1\)"):
        det.score_samples(X[:, :6, :6])


def test_image_shape_param_must_match_image_input():
    X = np.zeros((4, 8, 8))
    with pytest.raises(ValueError, match="does not match"):
        ALOCCDetector(image_shape=(4, 16)).fit(X)


def test_history_and_epochs(blobs, tiny):
    det = ALOCCDetector(random_state=0, **tiny).set_params(epochs=10).fit(blobs[0])
    assert det.n_epochs_ == 10
    adversarial = {"d_loss", "r_loss", "r_adversarial_loss", "r_reconstruction_loss"}
    assert set(det.history_) == adversarial
    assert all(len(det.history_[k]) == 10 for k in adversarial)
    assert "d_refine_loss" not in det.history_  # refine_fraction=0 by default
    assert all(np.all(np.isfinite(v)) for v in det.history_.values())
    assert all(type(x) is float for v in det.history_.values() for x in v)


def test_refinement_phase_trains_d_further(blobs, tiny):
    det = ALOCCDetector(random_state=0, **tiny).set_params(epochs=5).fit(blobs[0])
    refined = ALOCCDetector(refine_fraction=0.3, random_state=0, **tiny)
    refined.set_params(epochs=5).fit(blobs[0])
    assert len(refined.history_["d_refine_loss"]) == 2  # ceil(0.3 * 5)
    assert np.all(np.isfinite(refined.history_["d_refine_loss"]))
    assert not np.allclose(det.score_samples(blobs[0]), refined.score_samples(blobs[0]))


def test_stopping_rule_stops_once_reconstruction_is_good(blobs, tiny):
    loose = ALOCCDetector(tol=1e3, random_state=0, **tiny).set_params(epochs=5)
    loose.fit(blobs[0])
    assert loose.n_epochs_ == 1
    assert len(loose.history_["val_reconstruction_error"]) == 1
    strict = ALOCCDetector(tol=1e-12, random_state=0, **tiny).set_params(epochs=3)
    strict.fit(blobs[0])
    assert strict.n_epochs_ == 3
    assert all(e > 1e-12 for e in strict.history_["val_reconstruction_error"])


def test_import_does_not_load_tensorflow():
    code = "import sys, skalocc; print('tensorflow' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "False"


def test_fits_in_parallel_threads_match_serial_fits(blobs, tiny):
    # Per-fit seeding only: concurrent fits must not disturb each other.
    import threading

    inliers, outliers = blobs
    X = np.vstack([inliers, outliers])
    serial = {
        s: ALOCCDetector(random_state=s, **tiny).fit(inliers).score_samples(X) for s in (0, 1)
    }
    parallel = {}

    def fit(seed):
        parallel[seed] = ALOCCDetector(random_state=seed, **tiny).fit(inliers).score_samples(X)

    threads = [threading.Thread(target=fit, args=(s,)) for s in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for seed in (0, 1):
        np.testing.assert_array_equal(parallel[seed], serial[seed])


def test_changing_params_after_fit_does_not_change_the_model(blobs, tiny):
    det = ALOCCDetector(random_state=0, **tiny).fit(blobs[0])
    before = det.decision_function(blobs[0])
    det.set_params(novelty_score="reconstruction", contamination=0.3)
    np.testing.assert_array_equal(det.decision_function(blobs[0]), before)
    assert det.novelty_score_ == "features"
