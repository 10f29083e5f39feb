"""Named parameter values and sets of :class:`~skalocc.ALOCCDetector`."""

from __future__ import annotations

from types import MappingProxyType

#: The scores ``novelty_score`` names (:mod:`skalocc._scoring` computes them;
#: the command line offers them, after "auto", in this order).
SCORE_KINDS = ("features", "combined", "D(X)", "D(R(X))", "reconstruction")

#: The input scalings ``scaling`` names (:mod:`skalocc._scaling`).
SCALINGS = ("minmax", "standard")

#: Image sets with fewer training images than this are "small images" for
#: "auto": D's logit, trained on so few images, ranks novelties poorly (8x8
#: digits, 90 images: 0.95 mean AUROC against 0.99 for the distances in D's
#: representation), while on 1 000 images and more the combined score is
#: ahead (MNIST; measurements in ``docs/benchmarks.md``).
SMALL_IMAGE_SET = 1000

#: What "auto" resolves to, for tabular rows, images and small image sets:
#: the choices the benchmarks support (``docs/benchmarks.md``).
AUTO_CHOICES = MappingProxyType(
    {
        "novelty_score": {"tabular": "features", "image": "combined", "small image": "features"},
        "scaling": {"tabular": "standard", "image": "minmax", "small image": "minmax"},
    }
)


def input_kind(image_mode: bool, n_samples: int) -> str:
    """The key of :data:`AUTO_CHOICES` for ``n_samples`` training samples."""
    if not image_mode:
        return "tabular"
    return "small image" if n_samples < SMALL_IMAGE_SET else "image"


def resolve_auto(name: str, value: str, image_mode: bool, n_samples: int) -> str:
    """``value`` of the parameter ``name``, "auto" resolved for the input's kind and size."""
    if value != "auto":
        return value
    return AUTO_CHOICES[name][input_kind(image_mode, n_samples)]


#: Parameters added after a first release, with the values that reproduce
#: the training of estimators saved before them (model files and pickles
#: that lack the parameter): one home for both loaders.
EARLIER_VALUES = MappingProxyType({"erase_fraction": 0.0})


def with_earlier_values(params: dict) -> dict:
    """``params`` (modified in place) with :data:`EARLIER_VALUES` for the names it lacks."""
    for name, value in EARLIER_VALUES.items():
        params.setdefault(name, value)
    return params


#: The paper's configuration (Sabokrou et al., CVPR 2018): a fully
#: convolutional R without a dense bottleneck, lambda = 0.4, input noise
#: sigma = 0.155, a D trained on real vs reconstructed samples only (no
#: pseudo-anomalies, no second phase), inputs min-max scaled to [0, 1], and the
#: score D(R(X)). ``ALOCCDetector(**PAPER_PARAMS)``
#: (plus ``image_shape`` for flat image rows) trains the paper's model; the
#: widths stay at the library's CPU-sized defaults (the paper's are
#: ``filters=(64, 128, 256, 512)``, one more keyword away).
PAPER_PARAMS = MappingProxyType(
    {
        "latent_dim": None,
        "reconstruction_weight": 0.4,
        "noise_std": 0.155,
        "pseudo_anomalies": False,
        "refine_fraction": 0.0,
        "novelty_score": "D(R(X))",
        "scaling": "minmax",
    }
)
