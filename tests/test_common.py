"""scikit-learn's estimator checks, in tabular and image mode, tiny and default networks.

The tabular detector runs every check. The image-mode detector shares all
input validation, parameter handling and tags with it, so it runs only the
checks that fit and score through the convolutional networks on data of
varied shapes (the rest would repeat the same code paths, at about 10 s of
CI time each).
"""

import pytest
from sklearn.utils.estimator_checks import estimator_checks_generator, parametrize_with_checks

from skalocc import ALOCCDetector

TABULAR = ALOCCDetector(hidden_units=(8,), latent_dim=2, epochs=1, batch_size=16, random_state=0)
# Each row is a 1 x n_features image, so the checks' data of any width goes
# through the convolutional networks.
IMAGE = ALOCCDetector(
    image_shape=(1, -1),
    filters=(4,),
    kernel_size=3,
    latent_dim=2,
    epochs=1,
    batch_size=16,
    random_state=0,
)
# The default networks (one epoch): the checks of an outlier detector's
# labels and threshold. With the lower Tukey fence (0.1's "auto") these
# networks flagged no training sample of the checks' blobs, so predict gave
# only +1 and both checks failed; the tiny networks above passed by the luck
# of their scores. The other checks exercise code that does not depend on the
# networks' size, and are left to the tiny detector (each check here costs
# about three fits of the default networks).
DEFAULT = ALOCCDetector(epochs=1, batch_size=64, random_state=0)
DEFAULT_CHECKS = {"check_outliers_train", "check_outliers_fit_predict"}
IMAGE_CHECKS = {
    "check_outliers_train",
    "check_outliers_fit_predict",
    "check_fit_idempotent",
    "check_estimators_pickle",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_fit2d_1sample",
    "check_fit2d_1feature",
    "check_fit2d_predict1d",
    "check_readonly_memmap_input",
}


def _name(check) -> str:
    return getattr(check, "func", check).__name__


@parametrize_with_checks([TABULAR])
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "check",
    [check for _, check in estimator_checks_generator(IMAGE) if _name(check) in IMAGE_CHECKS],
    ids=_name,
)
def test_sklearn_compatible_image_mode(check):
    check(IMAGE)


@pytest.mark.parametrize(
    "check",
    [check for _, check in estimator_checks_generator(DEFAULT) if _name(check) in DEFAULT_CHECKS],
    ids=_name,
)
def test_sklearn_compatible_default_networks(check):
    check(DEFAULT)


def test_image_mode_runs_every_listed_check():
    names = {_name(check) for _, check in estimator_checks_generator(IMAGE)}
    assert IMAGE_CHECKS <= names
    names = {_name(check) for _, check in estimator_checks_generator(DEFAULT)}
    assert DEFAULT_CHECKS <= names
