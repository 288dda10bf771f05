"""One listing of the templates, for `drip check` and for every command that loads the plan."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_support import ROOT, Drip, assert_clean_failure

from drip import config, errors, rendering
from drip.service import app as app_module
from drip.service import checking


def test_available_lists_files_in_subfolders_as_sorted_posix_paths(tmp_path: Path) -> None:
    (tmp_path / "partials" / "deep").mkdir(parents=True)
    for name in ("welcome.mjml.j2", "partials/footer.j2", "partials/deep/x.j2", "a.txt.j2"):
        (tmp_path / name).write_text("", encoding="utf-8")
    assert rendering.available(tmp_path) == [
        "a.txt.j2",
        "partials/deep/x.j2",
        "partials/footer.j2",
        "welcome.mjml.j2",
    ]


def test_available_names_drip_templates_when_the_folder_is_missing(tmp_path: Path) -> None:
    with pytest.raises(errors.ConfigError, match="DRIP_TEMPLATES"):
        rendering.available(tmp_path / "nope")


def test_a_missing_templates_folder_in_a_command(drip: Drip, tmp_path: Path) -> None:
    result = drip("render", "muscle-injury", "welcome", DRIP_TEMPLATES=str(tmp_path / "nope"))
    assert_clean_failure(result, 2, "DRIP_TEMPLATES", "the templates folder does not exist")


def test_check_and_load_plan_agree_on_a_template_in_a_subfolder(tmp_path: Path) -> None:
    templates = tmp_path / "emails"
    shutil.copytree(ROOT / "templates" / "emails", templates)
    (templates / "tips").mkdir()
    (templates / "tip.mjml.j2").rename(templates / "tips" / "tip.mjml.j2")
    (templates / "tip.txt.j2").rename(templates / "tips" / "tip.txt.j2")
    text = (ROOT / "sequences.yaml").read_text(encoding="utf-8")
    sequences = tmp_path / "sequences.yaml"
    sequences.write_text(
        text.replace("template: tip.mjml.j2", "template: tips/tip.mjml.j2").replace(
            "article: articles/", f"article: {ROOT}/articles/"
        ),
        encoding="utf-8",
    )
    cfg = config.load({"DRIP_SEQUENCES": str(sequences), "DRIP_TEMPLATES": str(templates)})
    report = checking.check(sequences_path=sequences, templates_dir=templates)
    assert report.problems == []
    assert report.steps_rendered == report.steps
    plan, article = app_module.load_plan(cfg)
    tips = [
        (cause, step.id)
        for cause, sequence in plan.sequences.items()
        for step in sequence.steps
        if step.template == "tips/tip.mjml.j2"
    ]
    assert tips, "no step uses the template in the subfolder"
    renderer = rendering.Renderer(plan=plan, article=article, templates=templates)
    cause, step_id = tips[0]
    rendered = renderer.step(cause, step_id)  # the subfolder's template and its text twin
    assert "%%drip:unsubscribe%%" in rendered.html and "%%drip:unsubscribe%%" in rendered.text


def test_check_reports_a_missing_folder_as_a_problem(tmp_path: Path) -> None:
    report = checking.check(sequences_path=ROOT / "sequences.yaml", templates_dir=tmp_path / "nope")
    assert any("DRIP_TEMPLATES" in p.message for p in report.problems)
