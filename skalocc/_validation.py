"""Input and parameter checks: what ALOCCDetector accepts, checked in one place.

Parameters are checked at ``fit`` in two steps: scikit-learn's
``_parameter_constraints`` (types and ranges) and :func:`check_tuple_params`
(the contents of the tuple parameters, which constraints cannot express).
Inputs are validated as rows of float64 values in consecutive chunks
(:func:`validated_chunks`): one chunk for ordinary arrays, bounded chunks for
large ones, so that no float64 copy of a large input is ever made.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from skalocc import _chunks


def _check_int_sequence(name: str, value, *, allow_empty: bool) -> tuple[int, ...]:
    """Return ``value`` as a tuple of positive ints or raise InvalidParameterError."""
    items = tuple(value)
    ok = all(isinstance(v, Integral) and not isinstance(v, bool) and v >= 1 for v in items)
    if not ok or (not items and not allow_empty):
        raise InvalidParameterError(
            f"The {name!r} parameter of ALOCCDetector must be a "
            f"{'' if allow_empty else 'non-empty '}tuple of positive ints. "
            f"Got {value!r} instead."
        )
    return tuple(int(v) for v in items)


def _check_image_shape(value) -> tuple[int, int, int] | None:
    """``image_shape`` as ``(h, w, c)`` (-1 kept for "inferred"), or None."""
    if value is None:
        return None
    items = tuple(value)
    ok = (
        len(items) in (2, 3)
        and all(isinstance(v, Integral) and not isinstance(v, bool) for v in items)
        and all(v >= 1 or v == -1 for v in items)
        and sum(v == -1 for v in items) <= 1
    )
    if not ok:
        raise InvalidParameterError(
            "The 'image_shape' parameter of ALOCCDetector must be (h, w) or "
            "(h, w, c) of positive ints, one of which may be -1 (inferred). "
            f"Got {value!r} instead."
        )
    return tuple(int(v) for v in items) + ((1,) if len(items) == 2 else ())


def check_tuple_params(estimator) -> dict:
    """The checked tuple parameters ``filters``, ``hidden_units`` and ``image_shape``.

    Returns
    -------
    params : dict
        ``filters`` and ``hidden_units`` as tuples of int, ``image_shape`` as
        ``(h, w, c)`` with at most one -1, or None.
    """
    return {
        "filters": _check_int_sequence("filters", estimator.filters, allow_empty=False),
        "hidden_units": _check_int_sequence(
            "hidden_units", estimator.hidden_units, allow_empty=True
        ),
        "image_shape": _check_image_shape(estimator.image_shape),
    }


def split_images(X):
    """Flatten 3-D/4-D image arrays to rows; leave anything else to validation.

    Returns
    -------
    X2d : array-like
        Rows, one per sample (``X`` itself when it was not an image array).
    image_shape : tuple of int or None
        ``(h, w, c)`` of image input, else None.
    """
    ndim = getattr(X, "ndim", None)
    if ndim is None and isinstance(X, list | tuple):
        try:
            ndim = np.asarray(X).ndim
        except ValueError:  # ragged nested lists: let validate_data explain
            return X, None
    if ndim is None:
        return X, None
    if ndim > 4:
        raise ValueError(
            f"Expected 2-D rows or a 3-D/4-D array of images, got an array with {ndim} dimensions."
        )
    if ndim < 3:
        return X, None
    arr = np.asarray(X)
    shape = tuple(int(s) for s in arr.shape[1:])
    if len(shape) == 2:
        shape += (1,)
    return arr.reshape(arr.shape[0], math.prod(arr.shape[1:])), shape


def resolve_image_shape(
    param: tuple | None, given, input_shape: tuple | None, n_features: int
) -> tuple[int, int, int] | None:
    """``(h, w, c)`` for image mode or None for tabular mode.

    Parameters
    ----------
    param : tuple or None
        ``image_shape`` as :func:`check_tuple_params` returns it.
    given : tuple, list or None
        ``image_shape`` as the user wrote it (for messages).
    input_shape : tuple or None
        Shape of one image when ``X`` was a 3-D/4-D array.
    n_features : int
        Values per sample.
    """
    if input_shape is not None:
        if param is not None and any(
            p not in (-1, s) for p, s in zip(param, input_shape, strict=True)
        ):
            raise ValueError(
                f"image_shape={tuple(given)!r} does not match the shape "
                f"of the input images {input_shape!r}."
            )
        return input_shape
    if param is None:
        return None
    known = math.prod(v for v in param if v != -1)
    if -1 in param and n_features % known == 0:
        param = tuple(n_features // known if v == -1 else v for v in param)
    if math.prod(param) != n_features:
        raise ValueError(
            f"image_shape={tuple(given)!r} does not fit X's {n_features} "
            f"features: it holds {known}{' x k' if -1 in param else ''} values per "
            "sample."
        )
    return param


def _check_values(X: np.ndarray, *, check_range: bool) -> None:
    """Refuse NaN, infinity and (when ``check_range``) values beyond float32's range.

    One reduction on the usual path; the message names the first bad value.
    """
    if not X.size:
        return
    if not np.isfinite(np.sum(X)):  # NaN or infinity, or a sum that overflowed
        bad = np.isnan(X)
        kind, advice = (
            "NaN (missing values)",
            (
                "ALOCCDetector needs complete samples: fill them in first (for example "
                "with sklearn.impute.SimpleImputer in a Pipeline) or drop those samples."
            ),
        )
        if not bad.any():
            bad = np.isinf(X)
            kind, advice = "infinity", "Replace or drop the infinite values."
        if bad.any():
            row, col = (int(i) for i in np.argwhere(bad)[0])
            raise ValueError(
                f"Input X contains {kind} in {int(bad.any(axis=1).sum())} sample(s), the "
                f"first at row {row}, column {col}. {advice}"
            )
    if not check_range:
        return
    limit = float(np.finfo(np.float32).max)
    peak = max(abs(float(X.min())), abs(float(X.max())))  # no |X| copy
    if peak > limit:
        raise ValueError(
            f"Input X contains values too large for float32 (largest magnitude "
            f"{peak:.3g} > {limit:.3g}); ALOCCDetector's networks compute "
            "in float32. Rescale the data."
        )


def validated_chunks(estimator, X2d, *, reset: bool, chunked: bool = True) -> Iterator[np.ndarray]:
    """Validate 2-D ``X2d`` for ``estimator`` as float64 rows, chunk by chunk.

    The first chunk goes through ``validate_data`` (which sets, with
    ``reset=True``, or checks ``n_features_in_`` and feature names); every
    chunk is checked for NaN, infinity and values beyond float32's range
    (skipped for dtypes that cannot exceed it). With ``chunked``, arrays
    larger than one chunk (:func:`skalocc._chunks.chunk_rows`) come in several
    consecutive chunks; otherwise the input is one chunk.

    Yields
    ------
    chunk : ndarray of shape (m, n_features), float64
    """
    dtype = getattr(X2d, "dtype", None)
    check_range = not (dtype is not None and np.can_cast(dtype, np.float32, casting="safe"))
    pieces = [X2d]
    if chunked and isinstance(X2d, np.ndarray) and X2d.ndim == 2:
        rows = _chunks.chunk_rows(X2d.shape[1])
        if len(X2d) > rows:
            pieces = _chunks.row_chunks(X2d, rows)
    for i, piece in enumerate(pieces):
        if i == 0:  # the one check of feature names and counts
            piece = validate_data(
                estimator, piece, reset=reset, dtype=np.float64, ensure_all_finite=False
            )
        else:
            piece = check_array(piece, dtype=np.float64, ensure_all_finite=False)
        _check_values(piece, check_range=check_range)
        yield piece


def is_large(X2d) -> bool:
    """Whether ``X2d`` is a 2-D array whose float64 copy would exceed the streaming limit."""
    return isinstance(X2d, np.ndarray) and X2d.ndim == 2 and X2d.size * 8 > _chunks.STREAM_BYTES


def scaled_input(estimator, X) -> tuple[Iterator[np.ndarray], tuple | None]:
    """Validate ``X`` against a fitted estimator and scale it for the networks.

    Returns
    -------
    chunks : iterator of ndarray of float64
        Scaled input, in order, each of shape ``(m, *image_shape_)`` or
        ``(m, n_features_in_)``.
    image_input_shape : tuple of int or None
        ``X.shape[1:]`` when ``X`` is a 3-D/4-D image array, else None.
    """
    check_is_fitted(estimator)
    X2d, input_image_shape = split_images(X)
    if input_image_shape is not None and input_image_shape != estimator.image_shape_:
        fitted = (
            f"images of shape {estimator.image_shape_}"
            if estimator.image_shape_ is not None
            else f"tabular rows of {estimator.n_features_in_} features"
        )
        raise ValueError(
            f"X holds images of shape {input_image_shape}, but ALOCCDetector was "
            f"fitted on {fitted}."
        )
    model_shape = estimator.image_shape_ or (estimator.n_features_in_,)
    scaling = estimator.scaling_
    chunks = (
        scaling.transform(piece, dtype=np.float64).reshape((-1, *model_shape))
        for piece in validated_chunks(estimator, X2d, reset=False)
    )
    image_input_shape = None if input_image_shape is None else tuple(np.shape(X)[1:])
    return chunks, image_input_shape


def training_input(estimator, X, image_shape: tuple | None):
    """Validate training ``X`` on ``estimator`` (a twin: this sets its ``n_features_in_``).

    Parameters
    ----------
    estimator : ALOCCDetector
        Receives ``n_features_in_`` (and ``feature_names_in_``).
    X : array-like
        2-D rows, or 3-D/4-D images.
    image_shape : tuple or None
        The checked ``image_shape`` parameter (:func:`check_tuple_params`).

    Returns
    -------
    data : ndarray of shape (n_samples, n_features)
        The validated float64 rows, or, for an input too large to copy
        (:func:`is_large`), the input itself (already checked chunk by chunk).
    streamed : bool
        Whether ``data`` is the large input itself.
    image_shape : tuple of int or None
        ``(h, w, c)`` in image mode, None in tabular mode.
    summary : FeatureSummary
        Per-feature extremes and moments of the rows (for the scaling).
    """
    from skalocc._scaling import feature_summary

    X2d, input_shape = split_images(X)
    streamed = is_large(X2d)
    kept = []

    def checked():
        for chunk in validated_chunks(estimator, X2d, reset=True, chunked=streamed):
            if not streamed:
                kept.append(chunk)
            yield chunk

    summary = feature_summary(checked())
    shape = resolve_image_shape(
        image_shape, estimator.image_shape, input_shape, estimator.n_features_in_
    )
    data = X2d if streamed else kept[0]  # one chunk when not streamed
    return data, streamed, shape, summary
