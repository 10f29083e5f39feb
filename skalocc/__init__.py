"""skalocc: ALOCC novelty detection for scikit-learn.

TensorFlow is imported on the first ``fit`` (or unpickling), not here.
"""

from skalocc._alocc import ALOCCDetector
from skalocc._version import __version__

__all__ = ["ALOCCDetector", "__version__"]
