"""What the running process holds: resident memory and thread count."""

from __future__ import annotations


def status_kb(field: str) -> int:
    """One numeric field of ``/proc/self/status`` (Linux), e.g. ``"VmRSS"`` in kB.

    Parameters
    ----------
    field : str
        The field's name, without the colon: ``"VmRSS"``, ``"VmHWM"``,
        ``"RssAnon"``, ``"Threads"``...

    Returns
    -------
    value : int
        The field's number (kB for the memory fields).

    Raises
    ------
    KeyError
        When the kernel does not report the field.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(f"{field} not found in /proc/self/status")


def resident_set_mb() -> float:
    """The process's resident set size (``VmRSS``), in MB (2**20 bytes)."""
    return status_kb("VmRSS") / 1024


def thread_count() -> int:
    """The number of threads of the process (``Threads``)."""
    return status_kb("Threads")
