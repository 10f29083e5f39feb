"""Named parameter values and sets of :class:`~skalocc.ALOCCDetector`."""

from __future__ import annotations

from types import MappingProxyType

#: The scores ``novelty_score`` names (:mod:`skalocc._scoring` computes them;
#: the command line offers them, after "auto", in this order).
SCORE_KINDS = ("features", "combined", "D(X)", "D(R(X))", "reconstruction")

#: The input scalings ``scaling`` names (:mod:`skalocc._scaling`).
SCALINGS = ("minmax", "standard")

#: What "auto" resolves to, for tabular rows and for images: the choices the
#: benchmarks support (``docs/benchmarks.md``).
AUTO_CHOICES = MappingProxyType(
    {
        "novelty_score": {"tabular": "features", "image": "combined"},
        "scaling": {"tabular": "standard", "image": "minmax"},
    }
)


def resolve_auto(name: str, value: str, image_mode: bool) -> str:
    """``value`` of the parameter ``name``, with "auto" resolved for the input's mode."""
    if value != "auto":
        return value
    return AUTO_CHOICES[name]["image" if image_mode else "tabular"]


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
