"""`drip simulate`'s timelines: the window and daylight saving applied, the period cut, the
options, and the three ways it says it. No database is opened (none is configured here)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from service_paths import ROOT, SAMPLES

from drip import config, errors
from drip.service import simulation, simulation_report
from workbench_files import Project

MONDAY = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # 09:00 in Chicago


def _cfg(**extra: str) -> config.Config:
    return config.load(
        {
            "DRIP_SEQUENCES": str(ROOT / "sequences.yaml"),
            "DRIP_TEMPLATES": str(ROOT / "templates" / "emails"),
            "DRIP_SAMPLES": str(SAMPLES),
            "DRIP_DATABASE_URL": "sqlite:////nonexistent/never-opened.db",
            **extra,
        }
    )


def test_a_step_whose_delay_ends_on_a_weekend_goes_out_when_the_window_opens() -> None:
    found = simulation.simulate(_cfg(), days=60, start=MONDAY, cause="muscle-injury")
    sam = next(t for t in found.timelines if t.patient.id == "sam")
    assert [s.step.id for s in sam.sends][:4] == ["welcome", "heat-and-ice", "rest", "medications"]
    medications = sam.sends[3]
    assert medications.delayed == datetime(2026, 12, 13, 15, 0, tzinfo=UTC)  # a Sunday
    assert medications.at == datetime(2026, 12, 14, 15, 0, tzinfo=UTC)  # Monday 09:00 CST
    assert medications.moved and not sam.sends[1].moved
    assert sam.complete and len(sam.sends) == 7


def test_every_sample_patient_of_every_cause_in_its_own_zone() -> None:
    found = simulation.simulate(_cfg(), days=60, start=MONDAY)
    assert {t.cause for t in found.timelines} == {
        "muscle-injury", "bone-encroachment", "lumbar-disc-disease", "not-sure"
    }  # fmt: skip
    assert {t.patient.id for t in found.timelines} == {"sam", "no-name", "long-name", "non-ascii"}
    kolkata = next(t for t in found.timelines if t.patient.id == "long-name")
    assert {s.local.hour for s in kolkata.sends} <= set(range(9, 18))
    assert kolkata.sends[0].at == datetime(2026, 12, 8, 3, 30, tzinfo=UTC)  # 09:00 IST next day


def test_tz_puts_every_patient_in_one_zone_and_shows_a_clock_change() -> None:
    start = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    found = simulation.simulate(
        _cfg(), days=30, start=start, cause="not-sure", timezone="America/New_York"
    )
    assert {t.patient.timezone for t in found.timelines} == {"America/New_York"}
    offsets = [s.local.utcoffset() for s in found.timelines[0].sends]
    assert offsets[0] == timedelta(hours=-5) and offsets[-1] == timedelta(hours=-4)
    # whole days are calendar days: Friday 10:00 EST + 2d ends Sunday 10:00 EDT, 14:00Z
    fourth = found.timelines[0].sends[3]
    assert fourth.delayed == datetime(2026, 3, 8, 14, 0, tzinfo=UTC)
    assert fourth.at == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # Monday 09:00 EDT


def test_a_short_period_says_the_sequence_goes_on() -> None:
    found = simulation.simulate(_cfg(), days=3, start=MONDAY, cause="muscle-injury")
    sam = next(t for t in found.timelines if t.patient.id == "sam")
    assert [s.step.id for s in sam.sends] == ["welcome", "heat-and-ice"]
    assert not sam.complete
    assert "2 emails in the period; the sequence goes on after it" in simulation_report.text(found)


def test_the_text_gives_local_time_with_its_offset_utc_and_why_a_send_moved() -> None:
    found = simulation.simulate(_cfg(), days=60, start=MONDAY, cause="muscle-injury")
    shown = simulation_report.text(found)
    assert "Send window, in each patient's time zone: Mon–Fri 09:00–18:00" in shown
    assert "muscle-injury · sam: Sam (America/Chicago)" in shown
    assert "muscle-injury · no-name: (no first name) (Europe/London)" in shown
    line = next(x for x in shown.splitlines() if " medications " in x)
    assert (
        "Mon 14 Dec 2026 09:00 CST   -06:00   2026-12-14 15:00Z  Back spasms: medications" in line
    )
    assert "the delay ends Sun 13 Dec 09:00, outside the window: sent when it opens" in shown


def test_json_and_csv_hold_every_send_with_the_same_columns() -> None:
    found = simulation.simulate(_cfg(), days=60, start=MONDAY)
    data = json.loads(simulation_report.as_json(found))
    rows = list(csv.DictReader(io.StringIO(simulation_report.as_csv(found))))
    assert len(data["sends"]) == len(rows) == len(found.sends) == 4 * 4 * 7
    first = data["sends"][0]
    assert first == {
        "cause": "muscle-injury", "patient": "sam", "first_name": "Sam",
        "timezone": "America/Chicago", "number": 1, "step": "welcome", "after": "0m",
        "local_time": "2026-12-07T09:00", "utc_offset": "-06:00",
        "utc_time": "2026-12-07T15:00Z", "moved_by_window": False,
        "delay_ends_local": "2026-12-07T09:00", "subject": "Back spasms: where to start",
    }  # fmt: skip
    assert rows[0] == {key: str(value) for key, value in first.items()}
    assert all(t["complete"] for t in data["timelines"])


def test_a_cause_or_a_zone_that_does_not_exist_is_a_usage_error() -> None:
    with pytest.raises(errors.UsageError, match="'muscle' is not a cause"):
        simulation.simulate(_cfg(), days=60, start=MONDAY, cause="muscle")
    with pytest.raises(errors.UsageError, match="'Mars/Olympus' is not an IANA time zone"):
        simulation.simulate(_cfg(), days=60, start=MONDAY, timezone="Mars/Olympus")
    with pytest.raises(errors.UsageError, match="at least 1 day"):
        simulation.simulate(_cfg(), days=0, start=MONDAY)


def test_without_a_samples_file_drip_s_own_stand_in(tmp_path: Path) -> None:
    found = simulation.simulate(
        _cfg(DRIP_SAMPLES=str(tmp_path / "none.yaml")), days=1, start=MONDAY, cause="not-sure"
    )
    assert [t.patient.id for t in found.timelines] == ["sam", "no-name", "long-name", "non-ascii"]
    assert found.samples.startswith("drip's own sample patients")


def test_a_samples_file_with_problems_stops_simulate_at_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "samples.yaml"
    broken.write_text(
        "patients:\n  - id: ana\n    name: Ana\n    timezone: Europe/Lisbn\n", encoding="utf-8"
    )
    with pytest.raises(errors.ContentError) as raised:
        simulation.simulate(_cfg(DRIP_SAMPLES=str(broken)), days=1, start=MONDAY)
    assert str(raised.value).startswith(f"{broken}:4:15: patients[0].timezone: unknown time zone")
    assert 'did you mean "Europe/Lisbon"?' in str(raised.value)


def test_a_subject_with_the_first_name_reads_as_each_patient_reads_it(tmp_path: Path) -> None:
    project = Project.copy(tmp_path)
    project.edit('subject: "Back spasms: rest"', 'subject: "{{ subscriber.first_name }}, rest"')
    found = simulation.simulate(project.config(), days=60, start=MONDAY, cause="muscle-injury")
    subjects = {s.patient.id: s.subject for s in found.sends if s.step.id == "rest"}
    assert subjects["non-ascii"] == "Zoë-Łucja, rest"  # the encoded header, decoded
    assert subjects["sam"] == "Sam, rest"
