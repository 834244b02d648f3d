"""The audit at scale: 100 and 500 connectors on the ThousandEyes stand-in, with a rate limit.

    .venv/bin/python benchmarks/bench_audit.py                 # 100 and 500, both list shapes
    .venv/bin/python benchmarks/bench_audit.py --counts 500 --rate 50

Not part of the pytest run; loopback only, bounded. Reports per run: wall time, API requests/s,
the 429s the stand-in sent, the share of the time spent waiting (for a reset the rate-limit
headers announced, or after a 429; both counted by widgets.connectors.client),
and the peak memory tracemalloc sees during the audit (the stand-in runs in the same process,
so its copies of the connectors are counted too: the figure is an upper bound for the client).
"list: full" is one list request (each item with its authentication); "list: summary" leaves
the authentication out, so the audit reads every connector by id (N+1 requests): the case
where TE's rate limit matters, run twice: paced (the default) and unpaced (``pace=False``: 429s
only waited out after the fact), the baseline of the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from widgets.connectors import TeClient, audit  # noqa: E402
from widgets.demo.thousandeyes import ThousandEyesStandIn  # noqa: E402


def one(count: int, list_detail: str, rate: int | None, workers: int, pace: bool = True) -> dict:
    with ThousandEyesStandIn(list_detail=list_detail, rate_limit=rate, rate_window=1.0) as server:
        server.make_connectors(count)
        with TeClient(server.api_token, host=server.base_url, timeout=30, pace=pace) as te:
            tracemalloc.start()
            started = time.perf_counter()
            report = audit(te, probe=False, workers=workers, progress=False)
            seconds = time.perf_counter() - started
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        assert len(report.rows) == count and not report.errors, report.errors[:3]
        return {"count": count, "list": list_detail, "seconds": seconds, "requests": report.requests,
                "rps": report.requests / seconds, "waits": report.rate_limit_waits, "paced": report.paced_waits,
                # thread-seconds waiting (after a 429, or for a reset the headers announced) over the workers' time
                "wait_share": (report.rate_limit_seconds + report.paced_seconds) / (seconds * workers),
                "pace": pace,
                "peak_kib": peak / 1024,
                "per_connector_kib": peak / 1024 / count, "limited": server.rate_limited}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--counts", default="100,500")
    parser.add_argument("--rate", type=int, default=100, help="stand-in rate limit, requests per second")
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"nproc={cores}, Python {platform.python_version()}, load {os.getloadavg()[0]:.2f}, "
          f"rate limit {args.rate}/s, {args.workers} workers")
    runs = [("full", True), ("summary", True), ("summary", False)]  # pace=False: the baseline, 429s waited out
    seconds: dict = {}
    for detail, pace in runs:
        for count in (int(c) for c in args.counts.split(",")):
            r = one(count, detail, args.rate, args.workers, pace)
            seconds[(count, detail, pace)] = r["seconds"]
            print(f"  {r['count']:>4} connectors, list {r['list']:<7}, {'paced' if pace else 'unpaced'}: "
                  f"{r['seconds']:6.2f} s, {r['requests']:>4} requests, {r['rps']:6.1f} req/s, "
                  f"{r['limited']:>3} 429s received, {r['paced']:>3} paced waits, "
                  f"waiting {r['wait_share']:.0%} of worker time, "
                  f"peak {r['peak_kib']:7.0f} KiB ({r['per_connector_kib']:.1f} KiB/connector)", flush=True)
    for count in (int(c) for c in args.counts.split(",")):
        print(f"  {count} connectors, list summary: paced / unpaced wall time = "
              f"{seconds[(count, 'summary', True)] / seconds[(count, 'summary', False)]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
