"""Lazy, quiet access to TensorFlow and Keras 3.

TensorFlow is imported on first use, not when :mod:`skalocc` is imported, so
that ``import skalocc``, ``clone`` and ``get_params`` stay fast. The C++ start-up
messages TensorFlow writes on import and on device initialisation are hidden
by pointing file descriptor 2 at ``/dev/null`` for that moment only.
TensorFlow's import sets environment variables (``TF2_BEHAVIOR``,
``TPU_ML_PLATFORM``...) and draws from Python's ``random`` module; both are
put back as they were, so the caller's environment and random state do not
change behind their back. No logging level is changed.
"""

from __future__ import annotations

import contextlib
import logging
import os
import random
import sys
import threading
from collections.abc import Iterator
from types import ModuleType

_lock = threading.Lock()
_modules: tuple[ModuleType, ModuleType] | None = None


@contextlib.contextmanager
def _stderr_fd_silenced() -> Iterator[None]:
    """Send everything written to file descriptor 2 to /dev/null, then restore."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real fd 2 (embedded use)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        try:
            sys.stderr.flush()
        except (OSError, ValueError):
            pass
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


class _DropRetracingWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "triggered tf.function retracing" not in record.getMessage()


@contextlib.contextmanager
def retracing_warnings_dropped() -> Iterator[None]:
    """Drop TensorFlow's "retracing" warnings while the block runs.

    Every ``fit`` builds and traces a new training step on purpose, which TF
    reports as excessive retracing after a few fits in one process. Only
    those records are filtered, through a filter removed afterwards.
    """
    logger = logging.getLogger("tensorflow")
    flt = _DropRetracingWarnings()
    logger.addFilter(flt)
    try:
        yield
    finally:
        logger.removeFilter(flt)


@contextlib.contextmanager
def _process_state_kept() -> Iterator[None]:
    """Restore ``os.environ`` and the ``random`` module's state after the block."""
    environ = dict(os.environ)
    random_state = random.getstate()
    try:
        yield
    finally:
        random.setstate(random_state)
        for key in set(os.environ) - set(environ):
            del os.environ[key]
        for key, value in environ.items():
            if os.environ.get(key) != value:
                os.environ[key] = value


def tf_keras() -> tuple[ModuleType, ModuleType]:
    """Return ``(tensorflow, keras)``, importing them quietly on first call.

    Returns
    -------
    modules : tuple of module
        The ``tensorflow`` and ``keras`` modules.

    Raises
    ------
    ImportError
        If Keras is not running on the TensorFlow backend.
    """
    global _modules
    if _modules is not None:
        return _modules
    with _lock:
        if _modules is None:
            quiet = "tensorflow" not in sys.modules
            ctx = _stderr_fd_silenced() if quiet else contextlib.nullcontext()
            with ctx, _process_state_kept():
                import keras
                import tensorflow as tf

                # Device discovery logs its own messages on the first op.
                tf.config.list_logical_devices()
            if keras.backend.backend() != "tensorflow":
                raise ImportError(
                    "skalocc trains with the TensorFlow backend of Keras 3, but "
                    f"Keras is using {keras.backend.backend()!r}. Unset "
                    "KERAS_BACKEND or set it to 'tensorflow'."
                )
            _modules = (tf, keras)
    return _modules
