"""Runs inside bench/.work/reader-venv: the PyPI ``reader`` library over the same farm, cold then all-304."""

from __future__ import annotations

import json
import sys
import time

from reader import make_reader


def main(db: str, urls_file: str, workers: int) -> None:
    with open(urls_file) as fh:
        urls = [u.strip() for u in fh if u.strip()]
    r = make_reader(db)
    for u in urls:
        r.add_feed(u, exist_ok=True)
    t0 = time.perf_counter()
    r.update_feeds(workers=workers, scheduled=False)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    r.update_feeds(workers=workers, scheduled=False)
    warm = time.perf_counter() - t0
    counts = r.get_entry_counts()
    print(json.dumps({"cold": cold, "warm": warm, "entries": counts.total}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
