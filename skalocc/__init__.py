"""skalocc: ALOCC novelty detection for scikit-learn.

TensorFlow is imported on the first ``fit`` (or unpickling), not here.
"""

from skalocc._alocc import ALOCCDetector
from skalocc._model_file import load
from skalocc._presets import PAPER_PARAMS
from skalocc._version import __version__

__all__ = ["PAPER_PARAMS", "ALOCCDetector", "__version__", "load"]
