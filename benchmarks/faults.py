"""The fault run at full size: `python -m benchmarks.faults [--deliveries 2000] [--seed N]`.

Deliveries go through drip's real dispatcher, store and SMTP mailer to a loopback server that
fails 30 % of SMTP transactions temporarily (421/451/452 at MAIL, RCPT, DATA or after the
message) and drops 5 % of connections (at any stage, after the message's data included),
seeded; pass after pass on a simulated clock until nothing is pending (tests/fault_run.py).
Prints one JSON object per database (and writes them all to `--out`): delivered, duplicates
explained and unexplained, lost, failed, attempts, wall time. Exits 1 when a promise broke
(anything lost, a duplicate no ambiguous fault explains, a failure without a reason).

PostgreSQL: DRIP_BENCH_POSTGRES_URL, else DRIP_TEST_POSTGRES_URL, else the local default; a
schema of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "tests") not in sys.path:
    sys.path.insert(0, str(REPO / "tests"))  # the fault server and the run itself

import fault_run  # noqa: E402
import pg_schema  # noqa: E402

POSTGRES_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.faults", description=__doc__)
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--temporary", type=float, default=0.30, help="share of transactions")
    parser.add_argument("--dropped", type=float, default=0.05, help="share of transactions")
    parser.add_argument(
        "--database", choices=("sqlite", "postgresql", "both"), default="both", help="where"
    )
    parser.add_argument("--out", type=Path, help="write the figures there as JSON too")
    args = parser.parse_args(argv)

    figures = []
    for database in ("sqlite", "postgresql") if args.database == "both" else (args.database,):
        with tempfile.TemporaryDirectory(prefix="drip-faults-") as directory:
            figures.append(_run(database, Path(directory), args).as_dict())
            print(json.dumps(figures[-1], indent=2), flush=True)
    if args.out:
        args.out.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    broken = [f["database"] for f in figures if not f["kept_promises"]]
    if broken:
        print(f"promises broken on {', '.join(map(str, broken))}", file=sys.stderr)
    return 1 if broken else 0


def _run(database: str, directory: Path, args: argparse.Namespace) -> fault_run.Figures:
    options = {
        "deliveries": args.deliveries,
        "seed": args.seed,
        "temporary": args.temporary,
        "dropped": args.dropped,
        "database": database,
    }
    if database == "sqlite":
        return fault_run.run(f"sqlite:///{directory / 'drip.db'}", directory, **options)
    raw = os.environ.get(
        "DRIP_BENCH_POSTGRES_URL", os.environ.get("DRIP_TEST_POSTGRES_URL", POSTGRES_DEFAULT)
    )
    with pg_schema.fresh_schema(raw, prefix="drip_bench") as url:
        return fault_run.run(url, directory, **options)


if __name__ == "__main__":
    sys.exit(main())
