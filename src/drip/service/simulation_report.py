"""How `drip simulate` says it: a timeline per sample patient, or every send as JSON or CSV.

    muscle-injury · sam: Sam (America/Chicago)
       1  welcome       +0m   Mon 07 Dec 2026 09:00 CST -06:00   2026-12-07 15:00Z  Back …
       2  heat-and-ice  +2d   Wed 09 Dec 2026 09:00 CST -06:00   2026-12-09 15:00Z  Back …
                              the delay ends Sat 12 Dec 09:00: the window opens Mon 14 Dec

Local times carry the zone's abbreviation and UTC offset, so a daylight-saving change shows.
"""

from __future__ import annotations

import csv
import io
import json
import zoneinfo
from datetime import time

from drip import durations, sequences
from drip.service.simulation import Send, Simulation, Timeline

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
COLUMNS = (
    "cause", "patient", "first_name", "timezone", "number", "step", "after", "local_time",
    "utc_offset", "utc_time", "moved_by_window", "delay_ends_local", "subject",
)  # fmt: skip


def window_text(window: sequences.SendWindow) -> str:
    """`Mon–Fri 09:00–18:00`, as the window is written in sequences.yaml."""
    days = sorted(window.days)
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    shown = ", ".join(
        DAYS[run[0]] if len(run) == 1 else f"{DAYS[run[0]]}–{DAYS[run[-1]]}" for run in runs
    )
    end = "24:00" if window.end == time.max else f"{window.end:%H:%M}"
    first = "at once" if window.first_step_at_once else "in the window"
    return f"{shown} {window.start:%H:%M}–{end}, the first step {first}"


def text(simulation: Simulation) -> str:
    lines = [
        f"Who gets what, when: {_days(simulation)} from {simulation.start:%a %d %b %Y %H:%M} UTC, "
        "each sample patient confirming then.",
        f"Send window, in each patient's time zone: {window_text(simulation.window)}.",
        f"Sample patients: {simulation.samples}.",
    ]
    for timeline in simulation.timelines:
        lines += ["", *_timeline(timeline)]
    return "\n".join(lines)


def _days(simulation: Simulation) -> str:
    count = (simulation.until - simulation.start).days
    return "1 day" if count == 1 else f"{count} days"


def _timeline(timeline: Timeline) -> list[str]:
    patient = timeline.patient
    name = patient.name or "(no first name)"
    lines = [f"{timeline.cause} · {patient.id}: {name} ({patient.timezone})"]
    width = max((len(s.step.id) for s in timeline.sends), default=0)
    for send in timeline.sends:
        after = "+" + durations.format_duration(send.step.after)
        lines.append(
            f"  {send.number:>2}  {send.step.id:<{width}}  {after:<6} {_local(send)}   "
            f"{send.at:%Y-%m-%d %H:%M}Z  {send.subject}"
        )
        if send.moved:
            ends = send.delayed.astimezone(zoneinfo.ZoneInfo(patient.timezone))
            lines.append(
                f"      {'':<{width}}  {'':<6} the delay ends {ends:%a %d %b %H:%M}, outside the "
                f"window: sent when it opens"
            )
    if not timeline.sends:
        lines.append("  nothing in this period")
    total = len(timeline.sends)
    lines.append(
        f"  end of the sequence: {total} emails"
        if timeline.complete
        else f"  {total} emails in the period; the sequence goes on after it"
    )
    return lines


def _local(send: Send) -> str:
    local = send.local
    return f"{local:%a %d %b %Y %H:%M} {local.tzname():<5} {_offset(send)}"


def _offset(send: Send) -> str:
    offset = send.local.strftime("%z")
    return f"{offset[:3]}:{offset[3:]}"


def rows(simulation: Simulation) -> list[dict[str, object]]:
    """Every send as plain values, in COLUMNS' order."""
    found = []
    for send in simulation.sends:
        ends = send.delayed.astimezone(zoneinfo.ZoneInfo(send.patient.timezone))
        values = (
            send.cause, send.patient.id, send.patient.name, send.patient.timezone, send.number,
            send.step.id, durations.format_duration(send.step.after),
            send.local.replace(tzinfo=None).isoformat(timespec="minutes"), _offset(send),
            send.at.strftime("%Y-%m-%dT%H:%MZ"), send.moved,
            ends.replace(tzinfo=None).isoformat(timespec="minutes"), send.subject,
        )  # fmt: skip
        found.append(dict(zip(COLUMNS, values, strict=True)))
    return found


def as_json(simulation: Simulation) -> str:
    data = {
        "start": simulation.start.strftime("%Y-%m-%dT%H:%MZ"),
        "until": simulation.until.strftime("%Y-%m-%dT%H:%MZ"),
        "window": window_text(simulation.window),
        "samples": simulation.samples,
        "sends": rows(simulation),
        "timelines": [
            {
                "cause": t.cause,
                "patient": t.patient.id,
                "emails": len(t.sends),
                "complete": t.complete,
            }
            for t in simulation.timelines
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2)


def as_csv(simulation: Simulation) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows(simulation))
    return out.getvalue()
