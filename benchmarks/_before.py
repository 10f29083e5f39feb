"""The library as it was at another git revision, for before/after comparisons.

:func:`library_at` extracts ``skalocc/`` of a revision of this repository
(``git archive``) into a folder; a child process started with that folder as
its working directory (and first on ``sys.path``, as ``python -c`` puts the
working directory) imports that version of skalocc instead of this tree's.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def library_at(revision: str, folder: str | Path) -> Path:
    """Extract ``skalocc/`` at git ``revision`` into ``folder``.

    Parameters
    ----------
    revision : str
        A commit, branch or tag of this repository (``main``, ``HEAD~1``).
    folder : str or path-like
        An existing, empty folder.

    Returns
    -------
    folder : Path
        The folder, now holding ``skalocc/`` as it was at ``revision``.
    """
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", "--format=tar", revision, "skalocc"],
        check=True,
        capture_output=True,
    ).stdout
    folder = Path(folder)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def commit_of(revision: str) -> str:
    """The short commit hash of ``revision``."""
    return subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", revision],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def label(revision: str) -> str:
    """``"REV, <commit>"``, or the commit alone when ``revision`` is one."""
    commit = commit_of(revision)
    return (
        commit
        if revision.startswith(commit) or commit.startswith(revision)
        else (f"{revision}, {commit}")
    )
