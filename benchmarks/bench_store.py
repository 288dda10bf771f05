"""The store's hot paths, before and after a change, in one run: claims, marks and import.

    python benchmarks/bench_store.py --before main          # the working tree against main
    python benchmarks/bench_store.py --db sqlite --backlog 10000 --import-rows 5000

Each measurement runs in a child process (`--measure`), so that `--before REV` can run the
same measurement on the `src/` of another revision (`git archive REV src`, put first on
PYTHONPATH) and the two are interleaved round after round on the same machine. The child
only uses store and service calls that both revisions have (`Store.upgrade`, `claim_due`,
`release`, `mark_sent`, `importing.import_csv`), and seeds its tables with plain INSERTs.

What is timed, per database (a new SQLite file or PostgreSQL schema each time):

* claims: `claim_due(limit=100)` then `release` (not timed), 30 times: p50 and p99 of the
  claim, on a normal queue (1,000 pending with their own due times beside N sent rows) and on
  a backlog (N pending, all due at the same instant: what an import produces).
* marks: `mark_sent` with a next step to queue, one transaction per message as dispatch does
  it, over 500 claimed deliveries: the median per mark.
* import: `importing.import_csv` of a CSV of `--import-rows` rows (one in 1,000 a bad
  address, reported by line): rows per second.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO / "tests") not in sys.path:
    sys.path.insert(0, str(REPO / "tests"))  # pg_schema: a PostgreSQL schema of its own

T0 = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
POSTGRES_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
SUPPRESSION_KEY = "bench-suppression-key-0123456789abcdef"
CLAIM_LIMIT = 100
CLAIM_SAMPLES = 30
MARKS = 500
SEEDING_CHUNK = 5_000


# --- the child: one measurement on one database -------------------------------------------
@contextlib.contextmanager
def _database(kind: str, postgres: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="drip-bench-store-") as tmp:
            yield f"sqlite:///{tmp}/drip.db"
        return
    import pg_schema

    with pg_schema.fresh_schema(postgres, prefix="drip_bench_store") as url:
        yield url


def _seed(store: Any, *, sent: int, pending: int, same_due: bool) -> None:
    """`sent + pending` active subscribers, one delivery each, and an active enrollment each
    (so that a mark queues the next step), written with executemany INSERTs."""
    import sqlalchemy as sa

    from drip.store import models

    def subscribers(first: int, count: int) -> list[dict[str, Any]]:
        return [
            {
                "uid": uuid.uuid4().hex, "email": f"p{i}@example.com",
                "email_normalised": f"p{i}@example.com", "first_name": "Ana",
                "cause": "bench", "timezone": "Europe/London", "state": "active",
                "consent_at": T0, "consent_source": "bench", "consent_text": "bench",
                "created_at": T0, "confirmed_at": T0, "updated_at": T0,
            }
            for i in range(first, first + count)
        ]  # fmt: skip

    total = sent + pending
    with store.engine.begin() as conn:
        for first in range(0, total, SEEDING_CHUNK):
            count = min(SEEDING_CHUNK, total - first)
            conn.execute(sa.insert(models.SubscriberRow), subscribers(first, count))
        ids = conn.execute(sa.select(models.SubscriberRow.id).order_by("id")).scalars().all()
        for first in range(0, total, SEEDING_CHUNK):
            chunk = ids[first : first + SEEDING_CHUNK]
            deliveries = []
            for n, sid in enumerate(chunk, start=first):
                is_sent = n < sent
                due = T0 - timedelta(minutes=total - n)
                if not is_sent and same_due:
                    due = T0
                deliveries.append(
                    {
                        "uid": uuid.uuid4().hex, "subscriber_id": sid, "sequence": "bench",
                        "step_id": "first", "due_at": due,
                        "state": "sent" if is_sent else "pending", "attempts": 0,
                        "sent_at": due if is_sent else None, "created_at": T0,
                    }
                )  # fmt: skip
            conn.execute(sa.insert(models.DeliveryRow), deliveries)
            conn.execute(
                sa.insert(models.EnrollmentRow),
                [
                    {"subscriber_id": sid, "sequence": "bench", "state": "active",
                     "started_at": T0, "updated_at": T0}
                    for sid in chunk
                ],
            )  # fmt: skip
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")


def _claims(url: str, *, sent: int, pending: int, same_due: bool) -> dict[str, float]:
    from drip import store as store_module

    store = store_module.Store(url, suppression_key=SUPPRESSION_KEY)
    try:
        store.upgrade()
        _seed(store, sent=sent, pending=pending, same_due=same_due)
        samples: list[float] = []
        for _ in range(CLAIM_SAMPLES + 2):
            started = time.perf_counter()
            claimed = store.claim_due(now=T0, limit=CLAIM_LIMIT, owner="bench", lease_seconds=300)
            samples.append(time.perf_counter() - started)
            assert len(claimed) == min(CLAIM_LIMIT, pending), len(claimed)
            store.release("bench")
        samples = sorted(samples[2:])  # the first two warm the connection and the caches
        return {
            "p50": statistics.median(samples),
            "p99": samples[min(len(samples) - 1, round(0.99 * (len(samples) - 1)))],
        }
    finally:
        store.dispose()


def _marks(url: str) -> dict[str, float]:
    from drip import planning
    from drip import store as store_module

    store = store_module.Store(url, suppression_key=SUPPRESSION_KEY)
    try:
        store.upgrade()
        _seed(store, sent=0, pending=MARKS, same_due=False)
        following = planning.Planned(step_id="second", due_at=T0 + timedelta(days=2))
        samples: list[float] = []
        while len(samples) < MARKS:
            claims = store.claim_due(now=T0, limit=CLAIM_LIMIT, owner="bench", lease_seconds=300)
            assert claims
            for claim in claims:
                started = time.perf_counter()
                kept = store.mark_sent(
                    claim.delivery_id,
                    owner="bench",
                    now=T0,
                    message_id=f"<{claim.delivery_uid}@example.com>",
                    next=following,
                )
                samples.append(time.perf_counter() - started)
                assert kept
        return {"median": statistics.median(samples), "total": sum(samples)}
    finally:
        store.dispose()


def _import(url: str, rows: int) -> dict[str, float]:
    from drip import config
    from drip.service import app as app_module
    from drip.service import importing

    env = {
        "DRIP_DATABASE_URL": url,
        "DRIP_SEQUENCES": str(REPO / "sequences.yaml"),
        "DRIP_TEMPLATES": str(REPO / "templates" / "emails"),
        "DRIP_SECRET_KEY": "bench-secret-key-0123456789abcdefghij",
        "DRIP_SUPPRESSION_KEY": SUPPRESSION_KEY,
    }
    with app_module.open_app(config.load(env)) as app, tempfile.TemporaryDirectory() as tmp:
        app.store.upgrade()
        causes = [c.slug for c in app.plan.causes]
        path = Path(tmp) / "patients.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["email", "name", "cause", "timezone"])
            for i in range(rows):
                email = f"bad address {i}" if i % 1000 == 999 else f"patient{i}@example.com"
                writer.writerow([email, "Ana", causes[i % len(causes)], "Europe/London"])
        started = time.perf_counter()
        report = importing.import_csv(app, path, confirmed=True, now=T0)
        seconds = time.perf_counter() - started
        bad = rows // 1000
        assert report.imported == rows - bad and len(report.problems) == bad, report.imported
        assert not bad or report.problems[0].line == 1001, report.problems[0]
        return {"rows_per_s": rows / seconds, "seconds": seconds}


def _measure(spec: dict[str, Any]) -> dict[str, Any]:
    with _database(spec["db"], spec["postgres"]) as url:
        what = spec["what"]
        if what == "queue":
            return _claims(url, sent=spec["rows"], pending=1_000, same_due=False)
        if what == "backlog":
            return _claims(url, sent=0, pending=spec["rows"], same_due=True)
        if what == "marks":
            return _marks(url)
        return _import(url, spec["rows"])


# --- the parent: rounds, before and after, the table -------------------------------------
def _export(rev: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", rev, "src"], cwd=REPO, check=True, capture_output=True
    ).stdout
    tar = into / "src.tar"
    tar.write_bytes(archive)
    with tarfile.open(tar) as t:
        t.extractall(into, filter="data")
    return into / "src"


def _child(spec: dict[str, Any], src: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, __file__, "--measure", json.dumps(spec)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _cases(args: argparse.Namespace) -> list[dict[str, Any]]:
    cases = []
    for db in args.db.split(","):
        for rows in args.queue:
            cases.append({"db": db, "what": "queue", "rows": rows})
        cases.append({"db": db, "what": "backlog", "rows": args.backlog})
        cases.append({"db": db, "what": "marks", "rows": MARKS})
        cases.append({"db": db, "what": "import", "rows": args.import_rows})
    return cases


def _figure(case: dict[str, Any], result: dict[str, Any]) -> tuple[float, str]:
    """The headline number (lower is better for times) and how it reads."""
    if case["what"] == "import":
        return result["rows_per_s"], f"{result['rows_per_s']:,.0f} rows/s"
    if case["what"] == "marks":
        return result["median"], f"{result['median'] * 1e3:.2f} ms/mark"
    return result["p50"], f"p50 {result['p50'] * 1e3:.1f} ms, p99 {result['p99'] * 1e3:.1f} ms"


def _label(case: dict[str, Any]) -> str:
    db = "SQLite" if case["db"] == "sqlite" else "PostgreSQL"
    what = {
        "queue": f"claim 100, queue of 1,000 due beside {case['rows']:,} sent",
        "backlog": f"claim 100, backlog of {case['rows']:,} due at one instant",
        "marks": "mark_sent + queue next, per message",
        "import": f"import {case['rows']:,} rows",
    }[case["what"]]
    return f"{db}: {what}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--before", metavar="REV", help="also measure REV's src/, interleaved")
    parser.add_argument("--db", default="sqlite,postgres")
    parser.add_argument("--queue", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--backlog", type=int, default=100_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("DRIP_BENCH_POSTGRES_URL")
        or os.environ.get("DRIP_TEST_POSTGRES_URL")
        or POSTGRES_DEFAULT,
    )
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(_measure(json.loads(args.measure))))
        return 0
    with tempfile.TemporaryDirectory(prefix="drip-bench-before-") as tmp:
        before = _export(args.before, Path(tmp)) if args.before else None
        print("| benchmark | before | after | after ÷ before |")
        print("|---|---:|---:|---:|")
        for case in _cases(args):
            spec = {**case, "postgres": args.postgres_url}
            old: list[float] = []
            new: list[float] = []
            shown = {"before": "", "after": ""}
            for _ in range(args.rounds):
                if before is not None:
                    figure, shown["before"] = _figure(case, _child(spec, before))
                    old.append(figure)
                figure, shown["after"] = _figure(case, _child(spec, None))
                new.append(figure)
            ratio = f"{statistics.median(new) / statistics.median(old):.3g}" if old else ""
            print(f"| {_label(case)} | {shown['before']} | {shown['after']} | {ratio} |")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
