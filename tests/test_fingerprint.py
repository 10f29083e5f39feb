"""Fingerprints of a few small fits: refactoring must not change any number.

``tests/data/fingerprints.json`` holds the scores, offsets and histories of
small fits in tabular, image, streamed and refinement modes (fixed seeds),
recorded before the structure change of 0.2 (issue 13) and kept through it.
Re-recorded since only for deliberate changes of results, each said in the
changelog.

TensorFlow picks its float32 kernels by the CPU's instruction set, and two
adversarially trained networks carry a last-bit difference into the third
decimal after a few epochs: the fits differ between CPU kinds (measured:
up to 5e-3 relative between an AMD EPYC without AVX-512 and an Intel Xeon
with AVX-512 and AMX). So the record holds one set of fingerprints per CPU
kind (:func:`cpu_kind`: architecture, vendor and widest vector extension).
The first set, recorded on the project's AMD EPYC machines before kinds were
told apart, is filed under the vendor alone and serves every AMD kind. On a
CPU kind with no record the test is skipped, saying so: there is nothing of
that kind to compare with. The comparison is exact when
``SKALOCC_FINGERPRINT_EXACT=1`` is set; otherwise it allows a relative
difference of 1e-5 (a different BLAS thread count or library patch release
on the same kind may change the last bits while every guarantee still holds).

Re-record (only for a deliberate change of results, said in the changelog;
this replaces the fingerprints of this machine's CPU kind alone, so record on
each kind)::

    python tests/test_fingerprint.py --record
"""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

import numpy as np
import pytest

from skalocc import ALOCCDetector, _chunks
from skalocc.datasets import load_digits_novelty

RECORD = Path(__file__).parent / "data" / "fingerprints.json"
_TINY = {
    "filters": (4, 8),
    "hidden_units": (8,),
    "latent_dim": 4,
    "kernel_size": 3,
    "epochs": 2,
    "batch_size": 32,
    "random_state": 0,
}


def _tabular():
    rng = np.random.default_rng(42)
    inliers = rng.normal(size=(300, 5))
    outliers = rng.uniform(4, 6, size=(20, 5)) * rng.choice([-1, 1], size=(20, 5))
    return inliers, np.concatenate([inliers[:30], outliers])


def _digits():
    X_train, X_test, _ = load_digits_novelty(0, random_state=0)
    return X_train, X_test[:60]


# The image cases pin what 0.3 changed for images (erasures among D's
# pseudo-anomalies, the size-dependent "auto" score) at 0.2's values, so their
# fingerprints still hold; tests/test_pseudo.py checks the erasures.
_IMAGE_02 = {"image_shape": (8, 8), "erase_fraction": 0.0, "novelty_score": "combined"}

# name -> (data, extra parameters, streamed)
CASES = {
    "tabular_combined": (_tabular, {}, False),
    "tabular_tol_contamination": (
        _tabular,
        {"tol": 1e-9, "contamination": 0.1, "novelty_score": "D(R(X))"},
        False,
    ),
    "tabular_reconstruction_paper": (
        _tabular,
        {"pseudo_anomalies": False, "novelty_score": "reconstruction"},
        False,
    ),
    "tabular_refine": (_tabular, {"refine_fraction": 0.5, "epochs": 4}, False),
    "tabular_streamed_tol": (_tabular, {"tol": 1e-9}, True),
    "image_combined": (_digits, _IMAGE_02, False),
    "image_dx_refine": (
        _digits,
        {**_IMAGE_02, "novelty_score": "D(X)", "refine_fraction": 0.5, "epochs": 4},
        False,
    ),
    "image_streamed": (_digits, _IMAGE_02, True),
}


def _fingerprint(name: str) -> dict:
    data, extra, streamed = CASES[name]
    X_train, X_test = data()
    det = ALOCCDetector(**{**_TINY, **extra})
    if streamed:
        saved = _chunks.STREAM_BYTES
        _chunks.STREAM_BYTES = 1000  # every input is "large": streamed training
        try:
            det.fit(X_train)
        finally:
            _chunks.STREAM_BYTES = saved
    else:
        det.fit(X_train)
    return {
        "scores": det.score_samples(X_test).tolist(),
        "offset": float(det.offset_),
        "history": det.history_,
        "n_epochs": int(det.n_epochs_),
    }


def _flatten(record: dict) -> np.ndarray:
    values = [*record["scores"], record["offset"], record["n_epochs"]]
    for key in sorted(record["history"]):
        values.extend(record["history"][key])
    return np.asarray(values, dtype=np.float64)


# The widest vector extension, by the cpuinfo flag that shows it (widest first).
_VECTOR_EXTENSIONS = (
    ("amx", "amx_tile"),
    ("avx512_bf16", "avx512_bf16"),
    ("avx512_vnni", "avx512_vnni"),
    ("avx512", "avx512f"),
    ("avx2", "avx2"),
)


def cpu_kind() -> str:
    """This CPU's kind for the record: ``"<architecture> <vendor> <vector extension>"``."""
    vendor, flags = "unknown", set()
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                key, _, value = line.partition(":")
                if key.strip() == "vendor_id" and vendor == "unknown":
                    vendor = value.strip()
                elif key.strip() == "flags" and not flags:
                    flags = set(value.split())
    except OSError:  # not Linux: the vendor and extension stay unknown
        pass
    extension = next((name for name, flag in _VECTOR_EXTENSIONS if flag in flags), "baseline")
    return f"{platform.machine()} {vendor} {extension}"


def _recorded(kind: str) -> dict | None:
    """The fingerprints of CPU ``kind``: its own, else those filed under its vendor."""
    records = json.loads(RECORD.read_text())
    vendor_only = " ".join(kind.split()[:2])
    return records.get(kind, records.get(vendor_only))


def test_cpu_kind_names_architecture_vendor_and_extension():
    machine, vendor, extension = cpu_kind().split()
    assert machine == platform.machine()
    assert vendor
    assert extension in {name for name, _ in _VECTOR_EXTENSIONS} | {"baseline"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_results_match_the_recorded_fingerprint(name):
    kind = cpu_kind()
    record = _recorded(kind)
    if record is None:
        pytest.skip(f"no fingerprints recorded for CPU kind {kind!r} (its float32 kernels differ)")
    expected = record[name]
    got = _fingerprint(name)
    assert sorted(got["history"]) == sorted(expected["history"])
    if os.environ.get("SKALOCC_FINGERPRINT_EXACT") == "1":
        diff = np.max(
            np.abs(_flatten(got) - _flatten(expected)) / (np.abs(_flatten(expected)) + 1e-12)
        )
        assert got == expected, f"largest relative difference {diff:.3g}"
    else:
        np.testing.assert_allclose(_flatten(got), _flatten(expected), rtol=1e-5, atol=1e-7)


if __name__ == "__main__" and "--record" in sys.argv:
    records = json.loads(RECORD.read_text()) if RECORD.exists() else {}
    records[cpu_kind()] = {n: _fingerprint(n) for n in sorted(CASES)}
    RECORD.write_text(json.dumps(records, indent=1, sort_keys=True) + "\n")
    print(f"recorded {len(CASES)} fingerprints for {cpu_kind()!r} in {RECORD}")
