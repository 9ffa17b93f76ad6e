"""Long fuzzing campaign over parse → normalize (the byte harness of tests/robustness/fuzzing.py; the test
variant also renders what parsed). Prints throughput and every distinct failure with its input.

    .venv/bin/python bench/fuzz.py 600          # ten minutes
    SIMAN_HUB_FUZZ_SECONDS=600 .venv/bin/pytest -q -s tests/robustness/test_fuzz.py   # the same, as the test

Figures depend on the machine (the reference box has 2 shared cores: treat them as rough).
"""

from __future__ import annotations

import collections
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from robustness.fuzzing import fuzz  # noqa: E402


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    t0 = time.monotonic()
    stats = fuzz(seconds, batch=200, keep=0)
    took = time.monotonic() - t0
    print(f"bodies        {stats.examples:>10}  ({stats.examples / took:,.0f}/s over {took:.0f} s)")
    print(f"parsed        {stats.parsed:>10}  ({stats.parsed / max(stats.examples, 1):.0%})")
    print(f"refused       {stats.refused:>10}  (clean FeedError with a reason)")
    print(f"entries       {stats.entries:>10}")
    print(f"failures      {len(stats.failures):>10}")
    kinds = collections.Counter(f.strip().splitlines()[-2][:160] for f in stats.failures)
    for kind, n in kinds.most_common(20):
        print(f"  {n:>6}  {kind}")
    for f in stats.failures[:5]:
        print("-" * 80, f, sep="\n")
    return 1 if stats.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
