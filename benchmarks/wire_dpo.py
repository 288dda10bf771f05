"""django-post-office in a virtualenv of its own, driven through subprocesses (dpo_driver.py).

It is a benchmark dependency, never a drip dependency: the benchmark creates the virtualenv
under the cache directory (`$DRIP_BENCH_CACHE`, default ~/.cache/drip-bench/dpo-venv) with
`pip install django django-post-office psycopg[binary]` the first time, and reuses it after.
drip's own environment never imports Django.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from wire_mail import Outgoing, parts

from drip import config as drip_config

DRIVER = Path(__file__).with_name("dpo_driver.py")
PACKAGES = ("django>=5,<6", "django-post-office>=3.9,<4", "psycopg[binary]>=3.1,<4")


def cache_dir() -> Path:
    return Path(os.environ.get("DRIP_BENCH_CACHE") or Path.home() / ".cache" / "drip-bench")


def venv_python() -> Path:
    return cache_dir() / "dpo-venv" / "bin" / "python"


def ensure_venv() -> str | None:
    """The venv's Python, made if missing; None (with the reason printed) when it cannot be."""
    python = venv_python()
    if python.exists() and _imports(python):
        return str(python)
    print(f"  creating django-post-office's virtualenv in {python.parent.parent}", flush=True)
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", str(python.parent.parent)],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *PACKAGES],
            check=True,
            capture_output=True,
            timeout=600,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        print(f"  django-post-office skipped: its virtualenv could not be made ({exc})")
        return None
    return str(python) if _imports(python) else None


# post_office cannot be imported before Django's settings are configured: find it instead
_PROBE = "import django, psycopg, importlib.util as u; assert u.find_spec('post_office')"


def _imports(python: Path) -> bool:
    probe = subprocess.run([str(python), "-c", _PROBE], capture_output=True)
    return probe.returncode == 0


@dataclass(frozen=True, kw_only=True)
class DpoConfig:
    """One configuration tried: database (`sqlite` or a PostgreSQL URL), processes, threads."""

    database: str
    processes: int
    threads: int

    @property
    def db_label(self) -> str:
        return "SQLite" if self.database == "sqlite" else "PostgreSQL"

    @property
    def key(self) -> str:
        return f"{self.db_label.lower()}-p{self.processes}-t{self.threads}"

    @property
    def label(self) -> str:
        return f"{self.db_label}, {self.processes} process(es) × {self.threads} threads"


@dataclass(frozen=True, kw_only=True)
class Queue:
    """A queue filled by `queue`, ready to be sent by `send`."""

    python: str
    env: dict[str, str]
    schema: str | None
    raw_postgres: str | None


def queue(
    cfg: DpoConfig, messages: list[Outgoing], run_dir: Path, *, sink: tuple[str, int]
) -> Queue:
    """A new database (SQLite file or PostgreSQL schema) with `messages` queued (untimed)."""
    python = ensure_venv()
    if python is None:
        raise RuntimeError("django-post-office's virtualenv is missing")
    payload = run_dir / "messages.json"
    if not payload.exists():
        rows = []
        for m in messages:
            subject, text, html = parts(m.data)
            rows.append(
                {
                    "sender": m.sender,
                    "recipient": m.recipient,
                    "subject": subject,
                    "text": text,
                    "html": html,
                }
            )
        payload.write_text(json.dumps(rows), encoding="utf-8")
    tag = uuid.uuid4().hex[:12]
    env = {
        **os.environ,
        "DPO_MESSAGES": str(payload),
        "DPO_SMTP_HOST": sink[0],
        "DPO_SMTP_PORT": str(sink[1]),
        "DPO_PROCESSES": str(cfg.processes),
        "DPO_THREADS": str(cfg.threads),
        "DPO_LOG_LEVEL": "1",
        "DPO_LOCKFILE": str(run_dir / f"lock-{tag}"),
    }
    schema = None
    if cfg.database == "sqlite":
        env["DPO_DATABASE"] = f"sqlite:{run_dir / f'dpo-{tag}.db'}"
    else:
        schema = f"dpo_bench_{tag}"
        _sql(cfg.database, f"CREATE SCHEMA {schema}")
        env["DPO_DATABASE"] = drip_config.normalise_database_url(cfg.database).replace(
            "postgresql+psycopg://", "postgresql://"
        )
        env["DPO_SCHEMA"] = schema
    done = subprocess.run([python, str(DRIVER), "setup"], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"django-post-office setup failed: {done.stderr[-2000:]}")
    return Queue(
        python=python,
        env=env,
        schema=schema,
        raw_postgres=None if cfg.database == "sqlite" else cfg.database,
    )


def send(q: Queue) -> int:
    """`send_queued_mail` until the queue is empty; how many emails it marked sent."""
    done = subprocess.run(
        [q.python, str(DRIVER), "send"], env=q.env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"django-post-office send failed: {done.stderr[-2000:]}")
    return int(json.loads(done.stdout.strip().splitlines()[-1])["sent"])


def drop(q: Queue) -> None:
    if q.schema and q.raw_postgres:
        _sql(q.raw_postgres, f"DROP SCHEMA {q.schema} CASCADE")
    sqlite_file = q.env["DPO_DATABASE"].removeprefix("sqlite:")
    if q.schema is None:
        Path(sqlite_file).unlink(missing_ok=True)


def _sql(raw: str, statement: str) -> None:
    engine = sa.create_engine(drip_config.normalise_database_url(raw))
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(statement)
    finally:
        engine.dispose()
