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


def test_generate_on_an_article_without_a_list_of_causes_stops_and_writes_nothing(
    drip: Drip, tmp_path: Path
) -> None:
    article = tmp_path / "knee.md"
    article.write_text(
        "# Knee Pain\n\nKnees hurt.\n\n## Causes\n\nStrain and wear, mostly.\n\n"
        "## Treatments\n\n- Ice\n- Rest\n",
        encoding="utf-8",
    )
    target = tmp_path / "sequences.yaml"
    result = drip("generate", str(article), "-o", str(target))
    assert_clean_failure(result, 1, "no list of causes found", "--single", "by hand")
    assert not target.exists()
    single = drip("generate", str(article), "--single", "-o", str(target))
    assert single.exit_code == 0, single.output
    assert "not-sure:" in target.read_text(encoding="utf-8")


def test_ingest_explain_says_where_every_block_went(drip: Drip) -> None:
    result = drip("ingest", ARTICLE, "--explain")
    assert result.exit_code == 0, result.output
    assert 'back-spasms/causes [causes, 0.90]: the heading says "causes"' in result.output
    assert "line 12 list entry 'Muscle Injury: Lumbar muscle spasms" in result.output
    assert "→ an item, titled by its label: back-spasms/causes/muscle-injury" in result.output
    assert "line 4 metadata 'Causes & Treatments for Back Spasms'\n      → the article's title" in (
        result.output
    )
    assert "dropped: the blog or site name, not article content" in result.output
