"""Several workers, the long version: `drip run` processes on one PostgreSQL database, one SMTP
server on loopback, every due delivery accepted exactly once, round after round
(tests/daemon/workers_run.py, which the suite runs with 3 workers and 600 deliveries).

    python -m benchmarks.workers                              # 4 workers, 10,000, 3 rounds
    python -m benchmarks.workers --workers 4 --deliveries 10000 --rounds 3 --json workers.json

Each round is a new schema: the deliveries come due, the workers start together, and when no
delivery is left pending or sending each stops with SIGTERM. Prints a Markdown table (accepted,
duplicates, lost, outcomes the lease fence dropped, rows per worker, seconds, msg/s). Exits 1
unless every round accepted each delivery exactly once. PostgreSQL: DRIP_BENCH_POSTGRES_URL,
else DRIP_TEST_POSTGRES_URL, else the local default.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for folder in (REPO / "tests", REPO / "tests" / "daemon"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))  # the harness the daemon tests use

import workers_run  # noqa: E402

import pg_schema  # noqa: E402
from drip import store  # noqa: E402

POSTGRES_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A new PostgreSQL schema, migrated, dropped afterwards."""
    raw = os.environ.get("DRIP_BENCH_POSTGRES_URL") or os.environ.get(
        "DRIP_TEST_POSTGRES_URL", POSTGRES_DEFAULT
    )
    with pg_schema.fresh_schema(raw, prefix="drip_bench") as url:
        db = store.Store(url)
        db.upgrade()
        db.dispose()
        yield url


def exactly_once(f: workers_run.Figures) -> bool:
    return f.accepted == f.unique == f.sent == f.deliveries and f.unrecorded == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--deliveries", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    rounds = []
    for n in range(1, args.rounds + 1):
        with (
            tempfile.TemporaryDirectory(prefix="drip-workers-") as tmp,
            postgres_database() as url,
        ):
            figures = workers_run.run(
                url, workers=args.workers, deliveries=args.deliveries, workdir=Path(tmp)
            )
        rounds.append(figures)
        print(
            f"round {n}: {figures.accepted} accepted, {figures.duplicates} duplicates, "
            f"{figures.lost} lost in {figures.send_seconds}s (seeded in {figures.seed_seconds}s)",
            flush=True,
        )
    print()
    print(workers_run.table(rounds))
    if args.json is not None:
        args.json.write_text(json.dumps([f.as_json() for f in rounds], indent=2) + "\n")
    broken = [n for n, f in enumerate(rounds, 1) if not exactly_once(f)]
    for n in broken:
        print(f"BROKEN round {n}: not exactly once", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
