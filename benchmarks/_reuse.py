"""Reuse the records of an earlier run for detectors that have not changed (``--reuse``).

A full ADBench run is mostly classical baselines that give the same numbers
every time (fixed ``random_state``). When only ALOCC changed, ``--reuse
earlier.json [more.json ...]`` copies an earlier run's record of a (task, split, seed,
detector) instead of fitting again, but only when the earlier run used the
same protocol, data and caps, and the detector's class and parameters
(:func:`benchmarks._report.describe`) are identical. Every reused record says
so (``reused_from``: the earlier run's date), and the report counts them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Options that must match for an earlier record to stand for a new fit.
_SAME_OPTIONS = ("data", "max_train", "max_test", "quick", "digits")


@dataclass(frozen=True)
class Reuse:
    """Records of earlier runs, by (task, split seed, seed, detector).

    Attributes
    ----------
    records : dict
        Per key, ``(record, description, date)``: the earlier record (failed
        fits are never reused), its detector's description and its run's date.
        Of several files, a later one's record of the same key wins.
    """

    records: dict[tuple, tuple[dict[str, Any], dict[str, Any], str]]

    @classmethod
    def load(cls, paths: Sequence[Path], protocol: str, options: dict[str, Any]) -> Reuse:
        """Read earlier runs' JSON, checking each ran the same protocol on the same data.

        Raises
        ------
        ValueError
            When the protocol or one of the data options differs.
        """
        records: dict[tuple, tuple[dict[str, Any], dict[str, Any], str]] = {}
        for path in paths:
            payload = json.loads(Path(path).read_text())
            if payload.get("protocol") != protocol:
                raise ValueError(
                    f"--reuse {path}: protocol {payload.get('protocol')!r}, not {protocol!r}"
                )
            earlier = payload.get("options", {})
            for key in _SAME_OPTIONS:
                if earlier.get(key) != options.get(key):
                    raise ValueError(
                        f"--reuse {path}: option {key}={earlier.get(key)!r} there, "
                        f"{options.get(key)!r} here"
                    )
            described = {
                name: {k: v for k, v in d.items() if k in ("class", "params")}
                for name, d in payload["detectors"].items()
            }
            for r in payload["results"]:
                if r.get("error") is None:
                    key = (r["task"], r["split_seed"], r["seed"], r["detector"])
                    records[key] = (r, described[r["detector"]], payload["date"])
        return cls(records)

    def record(self, key: tuple, described: dict[str, Any]) -> dict[str, Any] | None:
        """The earlier record for ``key``, if the detector was the same; else None."""
        if key not in self.records:
            return None
        earlier, earlier_described, date = self.records[key]
        if earlier_described != json.loads(json.dumps(described)):
            return None
        return {**earlier, "reused_from": earlier.get("reused_from") or date}
