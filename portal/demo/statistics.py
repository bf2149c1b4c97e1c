"""The ministry's statistics after the demo load: one full rebuild of the public cube (cheap — a few
queries per municipality and one publication)."""

from __future__ import annotations

from portal.statistics.services import statistics_rebuild


def load_all(out) -> None:
    timings = statistics_rebuild()
    if out is not None:
        total = sum(timings.values())
        print(f"  statistics: rebuilt for {len(timings) - 1} municipalities in {total:.2f} s", file=out, flush=True)
