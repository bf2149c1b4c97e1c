"""Demo data for search: (re)build the search documents after the catalogue demo."""

import time

from portal.marketplace.search.indexing import rebuild


def load_public(out):
    started = time.perf_counter()
    count = rebuild(out=out)
    if out is not None:
        print(f"  search: {count} services indexed in {time.perf_counter() - started:.1f} s", file=out, flush=True)
