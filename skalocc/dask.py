"""Dask helpers: TensorFlow thread limits for workers, block-wise scoring.

Needs the ``dask`` extra (``pip install "skalocc[dask]"``); ``import skalocc``
does not import this module or Dask. Recipes: ``docs/scaling.md``.
"""

from skalocc._dask import score_blocks, tensorflow_thread_env

__all__ = ["score_blocks", "tensorflow_thread_env"]
