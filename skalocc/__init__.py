"""skalocc: ALOCC novelty detection for scikit-learn.

TensorFlow is imported on the first ``fit`` (or unpickling), not here.
"""

from skalocc._alocc import ALOCCDetector

__version__ = "0.1.0"

__all__ = ["ALOCCDetector", "__version__"]
