"""`drip plan` and `drip check` as a marketer runs them on a git checkout of the project: an
edit since the last commit, counted against the patients in the database."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import Drip

from workbench_files import Project

NOW = "2026-12-01T15:00:00Z"  # a Tuesday, inside the window


def project_with_patients(drip: Drip, tmp_path: Path) -> tuple[Project, dict[str, str]]:
    """A committed project and three patients in muscle-injury, sent welcome (rest is not
    queued yet: heat-and-ice is)."""
    project = Project.copy(tmp_path)
    project.commit()
    files = {
        "DRIP_SEQUENCES": str(project.sequences),
        "DRIP_TEMPLATES": str(project.root / "templates" / "emails"),
    }
    assert drip("db", "upgrade", **files).exit_code == 0
    for name in ("ana", "ben", "cy"):
        subscribed = drip(
            "subscribe", f"{name}@example.com", "--cause", "muscle-injury", "--confirmed",
            "--tz", "Europe/London", "--now", NOW, **files,
        )  # fmt: skip
        assert subscribed.exit_code == 0, subscribed.output
    ticked = drip("tick", "--now", NOW, **files)
    assert ticked.output.startswith("sent 3,"), ticked.output
    return project, files


def test_plan_counts_an_edit_since_the_last_commit(drip: Drip, tmp_path: Path) -> None:
    project, files = project_with_patients(drip, tmp_path)
    project.edit("      - id: heat-and-ice\n", "      - id: heat-ice\n")  # muscle-injury's only
    shown = drip("plan", **files)
    assert shown.exit_code == 0, shown.output
    assert "changes since git HEAD (" in shown.output
    assert "muscle-injury: 3 patients in it" in shown.output
    assert "  step heat-and-ice is queued but no longer" not in shown.output  # told as a rename
    assert (
        "  renamed step heat-and-ice → heat-ice: 3 patients had it queued as heat-and-ice: "
        "they get it once, as heat-ice"
    ) in shown.output
    assert "example.com" not in shown.output
    found = json.loads(drip("plan", "--json", **files).output)
    muscle = next(s for s in found["sequences"] if s["cause"] == "muscle-injury")
    assert muscle["next"] == [{"step": "heat-ice", "patients": 3, "instead_of": "heat-and-ice"}]
    assert found["affected"] == 3


def test_plan_without_git_still_says_what_each_patient_gets_next(
    drip: Drip, tmp_path: Path
) -> None:
    project, files = project_with_patients(drip, tmp_path)
    project.edit("      - id: heat-and-ice\n", "      - id: heat-ice\n")
    found = json.loads(drip("plan", "--json", "--no-compare", **files).output)
    assert found["against"] == "changes not counted (--no-compare)"
    muscle = next(s for s in found["sequences"] if s["cause"] == "muscle-injury")
    assert muscle["changes"] == [
        {
            "change": "step heat-and-ice is queued but no longer in sequences.yaml",
            "patients": 3,
            "effect": "skipped when it comes due; the next step follows",
        }
    ]


def test_check_warns_about_a_renamed_step_id_at_its_line(drip: Drip, tmp_path: Path) -> None:
    project = Project.copy(tmp_path)
    project.commit()
    project.edit("      - id: rest\n", "      - id: resting\n")
    checked = drip("check", str(project.sequences))
    assert checked.exit_code == 0, checked.output  # a warning, not a problem
    line = project.line_of("- id: resting")
    assert f"sequences.yaml:{line}:" in checked.output
    assert "'resting' looks like 'rest' renamed" in checked.output
    assert "will get it again" in checked.output and "drip plan" in checked.output
    assert "1 warning" in checked.output
