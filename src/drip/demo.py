"""`drip demo`: the main job on embedded defaults, under a simulated clock, written to a folder.

The rehearsal itself (a throwaway database, one sample patient per cause, the real dispatcher)
is the service's `rehearsal`; this shell writes what was sent to `--out` as .eml and .html,
with an index.html, and prints the timeline.
"""

from __future__ import annotations

import html
import time
import zoneinfo
from datetime import datetime, timedelta
from pathlib import Path

from drip import clock, config
from drip.service import rehearsal

Sent = rehearsal.Sent


def run(
    cfg: config.Config,
    *,
    out_dir: Path,
    start: datetime | None = None,
    keep: config.Config | None = None,
) -> str:
    """Run the demo and return the summary to print (`keep`: see `serving_config`)."""
    started = time.perf_counter()
    begin = start or _start_of_next_hour(clock.utcnow())
    sent = rehearsal.rehearse(cfg, start=begin, keep=keep)
    _write(out_dir, sent)
    return _summary(sent, out_dir, time.perf_counter() - started)


def serving_config(cfg: config.Config, *, out_dir: Path, port: int) -> config.Config:
    """The demo kept for `drip demo --serve`: its database in `out_dir/demo.db` (a new one each
    run), the links in its emails on http://127.0.0.1:PORT, emails sent from the web app (new
    sign-ups) written to `out_dir/outbox`."""
    database = out_dir.resolve() / "demo.db"
    database.unlink(missing_ok=True)
    return rehearsal.demo_config(
        cfg,
        database_url=f"sqlite:///{database}",
        smtp_url=f"file://{(out_dir / 'outbox').resolve()}",
        base_url=f"http://127.0.0.1:{port}",
    )


def _start_of_next_hour(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def _write(out_dir: Path, sent: list[Sent]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[str]] = {}
    for n, item in enumerate(sent, 1):
        stem = f"{n:03d}-{item.patient.email.partition('@')[0]}"
        (out_dir / f"{stem}.eml").write_bytes(item.message.as_bytes())
        body = item.message.get_body(preferencelist=("html",))
        assert body is not None
        (out_dir / f"{stem}.html").write_text(body.get_content(), encoding="utf-8")
        local = item.at.astimezone(zoneinfo.ZoneInfo(item.patient.timezone))
        rows.setdefault(item.patient.title, []).append(
            f"<tr><td>{local:%a %d %b %Y %H:%M}</td><td>{item.at:%Y-%m-%d %H:%M}Z</td>"
            f'<td><a href="{stem}.html">{html.escape(item.subject)}</a></td>'
            f'<td><a href="{stem}.eml">.eml</a></td></tr>'
        )
    (out_dir / "index.html").write_text(_index(rows), encoding="utf-8")


def _index(rows: dict[str, list[str]]) -> str:
    sections = "".join(
        f"<h2>{html.escape(patient)}</h2><table><tr><th>local time</th><th>UTC</th>"
        f"<th>email</th><th></th></tr>{''.join(lines)}</table>"
        for patient, lines in rows.items()
    )
    return (
        '<!doctype html><meta charset="utf-8"><meta name="viewport" '
        'content="width=device-width,initial-scale=1"><title>drip demo</title>'
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem}td,th{padding:.25rem .75rem;text-align:left}</style>"
        f"<h1>drip demo: who gets what, when</h1>{sections}"
    )


def _summary(sent: list[Sent], out_dir: Path, seconds: float) -> str:
    """The timeline, one line per email, grouped by patient, then where to look."""
    lines = []
    for patient in dict.fromkeys(item.patient for item in sent):
        lines.append(patient.title)
        for item in (i for i in sent if i.patient is patient):
            local = item.at.astimezone(zoneinfo.ZoneInfo(patient.timezone))
            lines.append(
                f"  {local:%a %d %b %H:%M} local  {item.at:%Y-%m-%d %H:%M}Z  {item.subject}"
            )
    lines.append("")
    lines.append(
        f"{len(sent)} emails to {len({s.patient.email for s in sent})} sample patients written "
        f"to {out_dir}/ in {seconds:.1f}s; open {out_dir / 'index.html'}"
    )
    return "\n".join(lines)
