"""scikit-learn's estimator checks, in tabular and image mode."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skalocc import ALOCCDetector

ESTIMATORS = [
    # Tabular mode: dense R and D.
    ALOCCDetector(hidden_units=(8,), latent_dim=2, epochs=1, batch_size=16, random_state=0),
    # Image mode: each row is a 1 x n_features image, so the checks' data of
    # any width goes through the convolutional networks.
    ALOCCDetector(
        image_shape=(1, -1),
        filters=(4,),
        kernel_size=3,
        latent_dim=2,
        epochs=1,
        batch_size=16,
        random_state=0,
    ),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)
