"""The marketer's commands on a mistake: generate's output path, render's cause, demo's folder."""

from __future__ import annotations

import re
from pathlib import Path

from cli_support import ROOT, Drip, assert_clean_failure

ARTICLE = str(ROOT / "articles" / "back-spasms.txt")


def test_generate_into_a_missing_folder_names_the_path(drip: Drip, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "dir" / "x.yaml"
    result = drip("generate", ARTICLE, "-o", str(target))
    assert_clean_failure(result, 1, f"{target}: cannot write it", "folder that exists")


def test_generate_refuses_to_overwrite_a_file_it_cannot_read(drip: Drip, tmp_path: Path) -> None:
    existing = tmp_path / "sequences.yaml"
    broken = "version: 1\nclinic: [\n"
    existing.write_text(broken, encoding="utf-8")
    result = drip("generate", ARTICLE, "-o", str(existing))
    assert_clean_failure(
        result,
        1,
        "not overwriting it",
        f"{existing}:3:1: YAML syntax error",
        "remove it, or write the proposal to another file with -o",
    )
    assert existing.read_text(encoding="utf-8") == broken


def test_generate_still_keeps_a_readable_files_clinic_block(drip: Drip, tmp_path: Path) -> None:
    existing = tmp_path / "sequences.yaml"
    text = (ROOT / "sequences.yaml").read_text(encoding="utf-8")
    renamed = re.sub(r"(?m)^  name: .*$", '  name: "Ana\'s Spine Clinic"', text, count=1)
    existing.write_text(renamed, encoding="utf-8")
    result = drip("generate", ARTICLE, "-o", str(existing))
    assert result.exit_code == 0, result.output
    assert "Ana's Spine Clinic" in existing.read_text(encoding="utf-8")


def test_render_an_unknown_cause_lists_the_causes(drip: Drip) -> None:
    for step in ("welcome", "confirm"):
        result = drip("render", "nope", step)
        assert_clean_failure(
            result, 2, "'nope' is not a cause in sequences.yaml (one of: muscle-injury, "
        )
        assert "steps: none" not in result.output


def test_render_confirm_renders_the_opt_in_email_for_a_real_cause(
    drip: Drip, tmp_path: Path
) -> None:
    result = drip("render", "muscle-injury", "confirm", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "muscle-injury-confirm.eml").exists()


def test_render_an_unknown_step_lists_the_steps(drip: Drip) -> None:
    result = drip("render", "muscle-injury", "nah")
    assert_clean_failure(result, 2, "no step 'nah' in the 'muscle-injury' sequence (steps: welcome")


def test_demo_outside_the_checkout_says_where_to_run_it(drip: Drip) -> None:
    result = drip("demo", "--out", "demo-out", DRIP_SEQUENCES="sequences.yaml")
    assert_clean_failure(
        result,
        2,
        "run `drip demo` from the drip checkout (it uses ./sequences.yaml and ./templates/emails),"
        " or set DRIP_SEQUENCES and DRIP_TEMPLATES",
    )


def test_demo_without_templates_says_the_same(drip: Drip) -> None:
    result = drip("demo", "--out", "demo-out", DRIP_TEMPLATES="templates/emails")
    assert_clean_failure(result, 2, "templates/emails: not found", "set DRIP_SEQUENCES and")
