"""Sign-ups against `drip serve`: 1,000 of them from 50 concurrent clients, SQLite and PostgreSQL.

`drip serve` runs as a subprocess (the real command, on loopback); the load comes from asyncio
tasks with httpx. Each request says it comes from another client (X-Forwarded-For, which
`drip serve` believes from 127.0.0.1, as behind a reverse proxy): the per-client limit would
otherwise turn the burst away. One address in twenty is signed up twice, concurrently or not,
so the run also shows that concurrent sign-ups of one address make one subscriber.

Reported: errors (any answer but 303), subscribers and opt-in emails queued (must equal the
distinct addresses), p50 and p99 latency, requests per second.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import bench_tick
import harness
import httpx
import sqlalchemy as sa
from harness import REPO, Report, Result

from drip import config
from drip.service import operations

REQUESTS, CLIENTS, DISTINCT = 1000, 50, 950
KEY = "bench-signup-secret-key-0123456789abcdef"


def signups(report: Report, *, database: str, label: str) -> None:
    with (
        tempfile.TemporaryDirectory(prefix="drip-bench-signup-") as tmp,
        _database(database, Path(tmp)) as url,
    ):
        env = harness.clean_env(
            DRIP_DATABASE_URL=url,
            DRIP_SEQUENCES=str(REPO / "sequences.yaml"),
            DRIP_TEMPLATES=str(REPO / "templates" / "emails"),
            DRIP_WEB_TEMPLATES=str(REPO / "templates" / "web"),
            DRIP_SECRET_KEY=KEY,
            DRIP_SUPPRESSION_KEY=KEY,
            DRIP_LOG_FORMAT="json",
        )
        operations.upgrade_database(config.load(env))
        port = _free_port()
        with _serving(env, port, Path(tmp)):
            latencies, errors, seconds = asyncio.run(_burst(f"http://127.0.0.1:{port}"))
        subscribers, opt_ins = _counted(url)
    p50, p99 = statistics.median(latencies), statistics.quantiles(latencies, n=100)[98]
    checks = (
        f"{errors} errors, {subscribers} subscribers and {opt_ins} opt-in emails queued for "
        f"{DISTINCT} distinct addresses; p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
    )
    report.add(
        Result(
            group="7",
            name=f"{REQUESTS:,} sign-ups, {CLIENTS} concurrent clients, {label}",
            samples=(seconds,),
            per_op="request",
            ops=REQUESTS,
            note=checks,
        )
    )
    if errors or subscribers != DISTINCT or opt_ins != DISTINCT:
        raise RuntimeError(f"sign-up benchmark on {label}: {checks}")


async def _burst(base: str) -> tuple[list[float], int, float]:
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        page = await client.get("/")
        token = re.search(r'name="form_token" value="([^"]+)"', page.text)
        assert token is not None, "no form token on the sign-up page"
        queue: asyncio.Queue[int] = asyncio.Queue()
        for n in range(REQUESTS):
            queue.put_nowait(n)
        latencies: list[float] = []
        errors = [0]

        async def one_client() -> None:
            while not queue.empty():
                n = queue.get_nowait()
                fields = {
                    "email": f"patient{n % DISTINCT:04d}@example.org",
                    "first_name": "Pat",
                    "cause": "not-sure",
                    "timezone": "Europe/Lisbon",
                    "consent": "yes",
                    "form_token": token.group(1),
                }
                headers = {"x-forwarded-for": f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"}
                started = time.perf_counter()
                answer = await client.post("/subscribe", data=fields, headers=headers)
                latencies.append(time.perf_counter() - started)
                if answer.status_code != 303:
                    errors[0] += 1

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(CLIENTS)))
        return latencies, errors[0], time.perf_counter() - started


@contextmanager
def _database(spec: str, folder: Path) -> Iterator[str]:
    if spec == "sqlite":
        yield f"sqlite:///{folder / 'signups.db'}"
        return
    with bench_tick.postgres_database(spec) as url:
        yield url


@contextmanager
def _serving(env: dict[str, str], port: int, folder: Path) -> Iterator[None]:
    log = (folder / "serve.log").open("wb")
    proc = subprocess.Popen(
        [*harness.drip_command(), "serve", "--port", str(port)],
        env=env, cwd=folder, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((folder / "serve.log").read_text(errors="replace")[-2000:])
            time.sleep(0.1)
        yield
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def _counted(url: str) -> tuple[int, int]:
    engine = sa.create_engine(config.normalise_database_url(url))
    try:
        with engine.connect() as conn:
            subscribers = conn.exec_driver_sql("SELECT count(*) FROM subscribers").scalar_one()
            opt_ins = conn.exec_driver_sql(
                "SELECT count(*) FROM deliveries WHERE sequence = '_confirm'"
            ).scalar_one()
    finally:
        engine.dispose()
    return int(subscribers), int(opt_ins)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
