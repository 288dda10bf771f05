"""Crash safety, the long version: `drip run` killed with SIGKILL at seeded random moments,
restarted each time, against a real SMTP server on loopback; then what the rows and the
server's bytes say (tests/daemon/crash_run.py, which the suite runs with a few kills).

    python -m benchmarks.crash                       # 50 kills, 2,000 deliveries, both databases
    python -m benchmarks.crash --kills 50 --deliveries 2000 --database sqlite --seed 7
    python -m benchmarks.crash --json crash.json     # the figures as JSON too

Prints the seed (the kill moments follow from it), a line per kill, then a Markdown table:
kills by mode, lost, duplicates, the most duplicates one kill caused, unexplained duplicates
(not traced to a killed run), leases left held, wall time. Exits 1 when a promise is broken.
PostgreSQL: DRIP_BENCH_POSTGRES_URL, else DRIP_TEST_POSTGRES_URL, else the local default; the
run works in a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
for folder in (REPO / "tests", REPO / "tests" / "daemon"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))  # the harness the daemon tests use

import crash_run  # noqa: E402

import pg_schema  # noqa: E402
from drip import store  # noqa: E402

POSTGRES_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_raw() -> str:
    return os.environ.get("DRIP_BENCH_POSTGRES_URL") or os.environ.get(
        "DRIP_TEST_POSTGRES_URL", POSTGRES_DEFAULT
    )


@contextlib.contextmanager
def database(kind: str, directory: Path) -> Iterator[str]:
    """A migrated, empty database: a new SQLite file, or a new PostgreSQL schema."""
    with contextlib.ExitStack() as stack:
        if kind == "sqlite":
            url = f"sqlite:///{directory / 'drip.db'}"
        else:
            url = stack.enter_context(pg_schema.fresh_schema(postgres_raw(), prefix="drip_bench"))
        db = store.Store(url)
        db.upgrade()
        db.dispose()
        yield url


def broken(figures: crash_run.Figures) -> list[str]:
    """The promises a run broke, in words (none: an empty list)."""
    checks = {
        "a delivery was lost": figures.lost == 0,
        "more duplicates than kills": figures.duplicates <= figures.kills,
        "a kill caused more than one duplicate": figures.max_duplicates_per_kill <= 1,
        "a duplicate not caused by a kill": figures.unexplained_duplicates == 0,
        "a message reached the server but is not recorded sent": figures.unrecorded == 0,
        "a lease is still held": figures.held_leases == 0,
    }
    return [what for what, kept in checks.items() if not kept]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--database", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--seed", type=int, default=None, help="default: a random one, printed")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    seed = random.randrange(1_000_000) if args.seed is None else args.seed
    print(f"seed {seed}", flush=True)
    kinds = ("sqlite", "postgres") if args.database == "both" else (args.database,)
    results = []
    for kind in kinds:
        with (
            tempfile.TemporaryDirectory(prefix="drip-crash-") as tmp,
            database(kind, Path(tmp)) as url,
        ):
            started = time.monotonic()

            def say(line: str, kind: str = kind, started: float = started) -> None:
                print(f"[{kind} {time.monotonic() - started:6.1f}s] {line}", flush=True)

            results.append(
                crash_run.run(
                    url,
                    deliveries=args.deliveries,
                    kills=args.kills,
                    seed=seed,
                    workdir=Path(tmp),
                    modes=crash_run.BENCHMARK_MODES,
                    say=say,
                )
            )
    print()
    print(crash_run.table(results))
    if args.json is not None:
        args.json.write_text(json.dumps([f.as_json() for f in results], indent=2) + "\n")
    failures = [f"{f.database}: {what}" for f in results for what in broken(f)]
    for failure in failures:
        print(f"BROKEN {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
