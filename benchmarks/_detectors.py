"""The detectors every benchmark table compares, built from one registry.

Each entry maps a display name to a factory ``(mode, image_shape,
random_state) -> estimator``; ``mode`` is ``"image"`` (rows of pixels scaled
to [0, 1], ``image_shape`` their ``(h, w)``) or ``"tabular"`` (raw features,
``image_shape`` None). Every estimator is unfitted and has ``fit``,
``score_samples`` (higher = more normal) and ``predict`` (+1 / -1).

Inputs, by family:

* ALOCC gets the rows as they are (it scales them itself: its ``scaling``
  parameter), with ``image_shape`` in image mode.
* The classical (k-NN included) and PyOD detectors get pixels in [0, 1] in image mode, and
  ``StandardScaler``'d features (fitted on the training rows) in tabular mode,
  through a :class:`~sklearn.pipeline.Pipeline`.

ALOCC's parameters come from :data:`skalocc.PAPER_PARAMS` and the library's
defaults, so the tables follow any change to either.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sklearn.base import BaseEstimator
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import LocalOutlierFactor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

from benchmarks._baselines import KNNDistance, PCAReconstruction, PyODDetector
from skalocc import PAPER_PARAMS, ALOCCDetector

Factory = Callable[[str, tuple[int, ...] | None, int], BaseEstimator]

#: PyOD's deep models, with the parameters the suite changes from PyOD's
#: defaults (silence only).
PYOD_MODELS = {
    "PyOD AutoEncoder": ("AutoEncoder", {"verbose": 0}),
    "PyOD DeepSVDD": ("DeepSVDD", {"verbose": 0}),
}
#: PyOD's classical models (need ``pyod`` only, not ``torch``), PyOD's defaults.
PYOD_CLASSICAL = {"ECOD": ("ECOD", {}), "COPOD": ("COPOD", {})}
#: The modules each family needs beyond the project's own dependencies.
FAMILY_NEEDS = {"pyod": ("pyod", "torch"), "pyod-classical": ("pyod",)}
#: k-NN baselines: display name -> (k, method).
KNN_MODELS = {
    "1-NN distance": (1, "kth"),
    "5-NN k-th distance": (5, "kth"),
    "5-NN mean distance": (5, "mean"),
}


@dataclass(frozen=True)
class Detector:
    """One registry entry.

    Attributes
    ----------
    name : str
        Column name in the tables.
    family : str
        ``"alocc"``, ``"classical"``, ``"pyod-classical"`` (needs ``pyod``)
        or ``"pyod"`` (needs ``pyod`` and ``torch``).
    factory : callable
        ``(mode, image_shape, random_state) -> unfitted estimator``.
    """

    name: str
    family: str
    factory: Factory

    def build(self, mode: str, image_shape: tuple[int, ...] | None, random_state: int):
        """Return a new unfitted estimator for one fit."""
        return self.factory(mode, image_shape, random_state)


def _alocc(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> Factory:
    def factory(mode, image_shape, random_state):
        shape = tuple(image_shape) if mode == "image" else None
        return ALOCCDetector(
            **{**base, **overrides, "image_shape": shape, "random_state": random_state}
        )

    return factory


def _peer(make: Callable[[int], BaseEstimator]) -> Factory:
    def factory(mode, image_shape, random_state):
        estimator = make(random_state)
        return make_pipeline(StandardScaler(), estimator) if mode == "tabular" else estimator

    return factory


def pyod_status(family: str = "pyod") -> str | None:
    """Why a PyOD family cannot run here, or None when it can.

    Parameters
    ----------
    family : {"pyod", "pyod-classical"}, default="pyod"
        ``"pyod"``: the deep models, which need ``pyod`` and ``torch``;
        ``"pyod-classical"``: ECOD and COPOD, which need ``pyod`` only.

    Returns
    -------
    reason : str or None
        None when every module the family needs imports.
    """
    for module in FAMILY_NEEDS.get(family, ()):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            need = '`pip install "skalocc[benchmarks]"`'
            if family == "pyod":
                need = '`pip install "skalocc[benchmarks]" torch`'
            return f"{module} is not importable ({exc.__class__.__name__}); they need {need}"
    return None


def registry(alocc_params: Mapping[str, Any] | None = None) -> list[Detector]:
    """All detectors, in table order (PyOD's whether or not they can run).

    Parameters
    ----------
    alocc_params : mapping, default=None
        Keyword arguments that override the constructor arguments of all
        three ALOCC variants (``image_shape`` and ``random_state`` are always
        set by the suite).

    Returns
    -------
    detectors : list of Detector
        ALOCC (paper, D(R(X))), ALOCC (paper, D(X)), ALOCC (recommended),
        IsolationForest, OneClassSVM, LocalOutlierFactor, PCA reconstruction,
        1-NN distance, 5-NN k-th distance, 5-NN mean distance, ECOD, COPOD,
        PyOD AutoEncoder, PyOD DeepSVDD.

    Examples
    --------
    >>> [d.name for d in registry()][:3]
    ['ALOCC (paper, D(R(X)))', 'ALOCC (paper, D(X))', 'ALOCC (recommended)']
    """
    over = dict(alocc_params or {})
    paper = dict(PAPER_PARAMS)
    detectors = [
        Detector("ALOCC (paper, D(R(X)))", "alocc", _alocc(paper, over)),
        Detector("ALOCC (paper, D(X))", "alocc", _alocc({**paper, "novelty_score": "D(X)"}, over)),
        Detector("ALOCC (recommended)", "alocc", _alocc({}, over)),
        Detector("IsolationForest", "classical", _peer(lambda s: IsolationForest(random_state=s))),
        Detector("OneClassSVM", "classical", _peer(lambda s: OneClassSVM())),
        Detector(
            "LocalOutlierFactor", "classical", _peer(lambda s: LocalOutlierFactor(novelty=True))
        ),
        Detector(
            "PCA reconstruction",
            "classical",
            _peer(lambda s: PCAReconstruction(n_components=0.9, random_state=s)),
        ),
    ]
    for name, (k, method) in KNN_MODELS.items():
        detectors.append(
            Detector(
                name, "classical", _peer(lambda s, k=k, m=method: KNNDistance(k, m, random_state=s))
            )
        )
    for family, models in (("pyod-classical", PYOD_CLASSICAL), ("pyod", PYOD_MODELS)):
        for name, (model, params) in models.items():
            detectors.append(
                Detector(
                    name,
                    family,
                    _peer(lambda s, m=model, p=params: PyODDetector(m, dict(p), random_state=s)),
                )
            )
    return detectors


def select(
    detectors: Sequence[Detector], patterns: Sequence[str] | None
) -> tuple[list[Detector], dict[str, str]]:
    """Keep the requested detectors that can run here.

    Parameters
    ----------
    detectors : sequence of Detector
        The registry.
    patterns : sequence of str or None
        Case-insensitive substrings of detector names; None keeps all.

    Returns
    -------
    chosen : list of Detector
        The detectors to run, in registry order.
    omitted : dict of str to str
        Name to reason for requested detectors that cannot run (PyOD's
        without ``pyod``, the deep ones also without ``torch``).

    Raises
    ------
    ValueError
        When a pattern matches no detector.
    """
    if patterns:
        lowered = [p.lower() for p in patterns]
        unmatched = [p for p in patterns if not any(p.lower() in d.name.lower() for d in detectors)]
        if unmatched:
            names = ", ".join(repr(d.name) for d in detectors)
            raise ValueError(f"--detectors {unmatched} match none of: {names}.")
        detectors = [d for d in detectors if any(p in d.name.lower() for p in lowered)]
    chosen, omitted = [], {}
    reasons = {f: pyod_status(f) for f in {d.family for d in detectors} if f in FAMILY_NEEDS}
    for detector in detectors:
        reason = reasons.get(detector.family)
        if reason is not None:
            omitted[detector.name] = reason
        else:
            chosen.append(detector)
    return chosen, omitted
