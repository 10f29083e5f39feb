"""Shared fixtures: small data and tiny network settings for fast tests."""

import os

# scikit-learn's array-API check (array API dispatch on, NumPy inputs) needs
# SciPy's array-API mode, which must be chosen before SciPy is imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np
import pytest
from hypothesis import settings

from skalocc.datasets import load_digits_novelty

# Property tests draw the same examples on every run (reproducible CI) and
# keep no example database in the working tree.
settings.register_profile("skalocc", derandomize=True, database=None)
settings.load_profile("skalocc")

# Tiny networks and few epochs keep every fit to a few seconds on 2 CPU cores.
TINY = {
    "filters": (4, 8),
    "hidden_units": (8,),
    "latent_dim": 4,
    "kernel_size": 3,
    "epochs": 2,
    "batch_size": 32,
}


@pytest.fixture
def tiny():
    """Keyword arguments for a tiny, quick ALOCCDetector."""
    return dict(TINY)


@pytest.fixture
def blobs():
    """Gaussian tabular inliers (200 x 5) and far-away outliers (20 x 5)."""
    rng = np.random.default_rng(42)
    inliers = rng.normal(size=(200, 5))
    outliers = rng.uniform(4, 6, size=(20, 5)) * rng.choice([-1, 1], size=(20, 5))
    return inliers, outliers


@pytest.fixture(scope="session")
def digits_zero():
    """One-class split of bundled digits with 0 as the target digit."""
    return load_digits_novelty(0, random_state=0)


def correlated_rows(rng: np.random.Generator, n: int) -> np.ndarray:
    """Correlated Gaussian rows: 3 latent factors seen through 6 features."""
    mixing = np.array(
        [
            [1.0, 0.5, 0.0, 0.3, 0.0, 0.2],
            [0.0, 1.0, 0.7, 0.0, 0.4, 0.0],
            [0.2, 0.0, 0.0, 1.0, 0.6, 0.8],
        ]
    )
    return rng.normal(size=(n, 3)) @ mixing + 0.1 * rng.normal(size=(n, 6))


@pytest.fixture(scope="module")
def networks():
    """Tiny float64 tabular R and D twins (5 features), built once per test module."""
    from skalocc._networks import build_discriminator, build_reconstructor, float64_copy

    rng = np.random.default_rng(0)
    kw = {"filters": (4,), "hidden_units": (8,), "kernel_size": 3, "rng": rng}
    r = build_reconstructor((5,), latent_dim=2, **kw)
    d = build_discriminator((5,), **kw)
    return float64_copy(r), float64_copy(d)
