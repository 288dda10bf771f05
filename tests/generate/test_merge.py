"""`drip generate --merge`: an edited article merged into the committed, hand-edited
sequences.yaml. Every line the marketer wrote stays; what the article adds arrives proposed;
what it lost is marked and refused by `drip check`; a removed step stays removed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from drip import errors, sequences_yaml
from drip.cli import main
from drip.generate import yamltext
from drip.service import checking, merging
from workbench_files import Project

MASSAGE = (
    "  • Massage\n    A gentle massage of the lower back can relax a muscle in spasm and ease the "
    "pain for a while. Ask for a therapist who knows back care.\n"
)
POSTURE = (
    "  • Poor Posture\n    Sitting slumped for hours strains the muscles of the lower back "
    "until they tighten and spasm.\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    found = Project.copy(tmp_path)
    article = found.root / "articles" / "back-spasms.txt"
    text = article.read_text(encoding="utf-8")
    rest = text.index("  • Rest\n")
    text = text[:rest] + text[text.index("  • Vertebroplasty") :]  # Rest left the article
    text = text.replace("  • Vertebroplasty", MASSAGE + "  • Vertebroplasty", 1)  # Massage came
    article.write_text(text, encoding="utf-8")
    return found


def _merge(project: Project) -> merging.Merge:
    return merging.merge(
        project.root / "articles" / "back-spasms.txt", output=project.sequences, format=None
    )


def _in_order(kept: list[str], merged: list[str]) -> bool:
    lines = iter(merged)
    return all(any(line == other for other in lines) for line in kept)


def test_every_line_the_marketer_wrote_stays_in_its_order(project: Project) -> None:
    before = project.sequences.read_text(encoding="utf-8")
    merged = _merge(project)
    assert merged.before == before
    ours = yamltext.without_known_block(before.splitlines())  # drip's list of items: rewritten
    assert _in_order(ours, merged.text.splitlines())
    assert "EDITED BY HAND (marketing, 2026-11-27 and 2026-12-01)" in merged.text
    plan = sequences_yaml.load(merged.text, file="merged.yaml")
    old = sequences_yaml.load(before, file="before.yaml")
    for cause, sequence in old.sequences.items():
        for step in sequence.steps:
            assert plan.sequences[cause].step(step.id) == step  # subject, delay, lead, all
    assert plan.clinic == old.clinic


def test_a_new_item_arrives_as_a_proposed_step_where_the_proposal_puts_it(
    project: Project,
) -> None:
    merged = _merge(project)
    plan = sequences_yaml.load(merged.text, file="merged.yaml")
    for cause, sequence in plan.sequences.items():
        massage = sequence.step("massage")
        assert massage is not None, cause
        assert massage.content == ("back-spasms/treatments/massage",)
    muscle = [s.id for s in plan.sequences["muscle-injury"].steps]
    assert muscle[:3] == ["welcome", "massage", "heat-and-ice"]  # the proposal ranks it first
    lines = merged.text.splitlines()
    for n, line in enumerate(lines):
        if line.strip() == "- id: massage":
            above = [x.strip() for x in lines[n - 4 : n]]
            assert merging.PROPOSED in above
    assert merged.text.count(merging.PROPOSED) == 4
    assert (
        "proposed step massage in muscle-injury (back-spasms/treatments/massage: new in the "
        "article)" in merged.notes
    )


def test_an_item_that_left_the_article_is_marked_and_refused_by_drip_check(
    project: Project,
) -> None:
    merged = _merge(project)
    project.sequences.write_text(merged.text, encoding="utf-8")
    report = checking.check(
        sequences_path=project.sequences, templates_dir=project.root / "templates" / "emails"
    )
    refused = [p for p in report.problems if "back-spasms/treatments/rest" in p.message]
    assert len(refused) == 4
    lines = merged.text.splitlines()
    for problem in refused:  # at the step's content; the mark is right above its id
        at = problem.line - 1
        while not lines[at].strip().startswith("- id:"):
            at -= 1
        assert lines[at - 1].strip().startswith("# LEFT THE ARTICLE: back-spasms/treatments/rest")


def test_a_second_merge_changes_nothing(project: Project) -> None:
    first = _merge(project)
    project.sequences.write_text(first.text, encoding="utf-8")
    again = _merge(project)
    assert again.text == first.text and again.diff == "" and again.notes == ()


def test_a_step_the_marketer_removed_stays_removed(project: Project) -> None:
    project.sequences.write_text(_merge(project).text, encoding="utf-8")
    text = project.sequences.read_text(encoding="utf-8")
    plan = sequences_yaml.load(text, file="x")
    locator = sequences_yaml.Locator(text)
    lines = text.splitlines()
    for cause, sequence in reversed(list(plan.sequences.items())):  # medications, everywhere
        index = sequence.index("medications")
        assert index is not None
        first, last, _ = locator.span(f"sequences.{cause}.steps[{index}]")  # type: ignore[misc]
        del lines[first - 1 : last]
    project.sequences.write_text("\n".join(lines) + "\n", encoding="utf-8")
    merged = _merge(project)
    assert "- id: medications" not in merged.text
    assert not any("medications" in note for note in merged.notes)


def _without(text: str, *wheres: str) -> str:
    """`text` without the YAML nodes at `wheres` (paths as the Locator reads them)."""
    locator = sequences_yaml.Locator(text)
    spans = sorted((locator.span(w) for w in wheres), key=lambda s: s[0] if s else 0)
    lines = text.splitlines()
    for span in reversed(spans):
        assert span is not None
        del lines[span[0] - 1 : span[1]]
    return "\n".join(lines) + "\n"


def test_what_the_marketer_removed_before_any_merge_is_not_proposed_again(tmp_path: Path) -> None:
    """The first merge of a file `drip generate` wrote, the article unchanged: the step and
    the cause the marketer removed stay removed, although no step shows their items."""
    project = Project.copy(tmp_path)
    article = str(project.root / "articles" / "back-spasms.txt")
    fresh = project.root / "fresh.yaml"
    made = CliRunner().invoke(main, ["generate", article, "-o", str(fresh)])
    assert made.exit_code == 0, made.output
    text = fresh.read_text(encoding="utf-8")
    plan = sequences_yaml.load(text, file="fresh.yaml")
    gone = "vertebroplasty-kyphoplasty"
    wheres = [
        f"sequences.{cause}.steps[{sequence.index(gone)}]"
        for cause, sequence in plan.sequences.items()
        if cause != "bone-encroachment"
    ]
    causes = [c.slug for c in plan.causes]
    wheres.append(f"causes[{causes.index('bone-encroachment')}]")
    edited = _without(text, *wheres)
    start = edited.index("\n  bone-encroachment:\n") + 1  # its sequence, to the next one's
    edited = edited[:start] + edited[edited.index("\n  lumbar-disc-disease:\n", start) + 1 :]
    fresh.write_text(edited, encoding="utf-8")
    kept = sequences_yaml.load(edited, file="fresh.yaml")
    assert "bone-encroachment" not in kept.sequences
    assert all(s.step(gone) is None for s in kept.sequences.values())

    merged = merging.merge(Path(article), output=fresh, format=None)
    assert merged.notes == () and merged.diff == ""
    assert merging.PROPOSED not in merged.text


def test_a_file_an_older_merge_wrote_keeps_its_removed_steps(project: Project) -> None:
    """Merges before the generator wrote the list marked it in other words: still read."""
    first = _merge(project).text
    old = first.replace(yamltext.KNOWN, yamltext.KNOWN_BEFORE)
    assert old != first
    plan = sequences_yaml.load(old, file="x")
    index = plan.sequences["not-sure"].index("massage")
    project.sequences.write_text(
        _without(
            old, *(f"sequences.{c}.steps[{s.index('massage')}]" for c, s in plan.sequences.items())
        ),
        encoding="utf-8",
    )
    assert index is not None
    merged = _merge(project)
    assert "- id: massage" not in merged.text and merged.notes == ()
    assert yamltext.KNOWN in merged.text and yamltext.KNOWN_BEFORE not in merged.text


def test_a_new_cause_arrives_as_a_proposed_sequence_before_not_sure(project: Project) -> None:
    project.edit(
        "  • Muscle Injury\n", POSTURE + "  • Muscle Injury\n", name="articles/back-spasms.txt"
    )
    merged = _merge(project)
    plan = sequences_yaml.load(merged.text, file="merged.yaml")
    assert [c.slug for c in plan.causes] == [
        "muscle-injury", "bone-encroachment", "lumbar-disc-disease", "poor-posture", "not-sure"
    ]  # fmt: skip
    assert plan.sequences["poor-posture"].steps[0].content[-1] == "back-spasms/causes/poor-posture"
    assert "proposed a sequence for poor-posture: a cause new in the article" in merged.notes


def test_merge_shows_the_diff_and_dry_run_writes_nothing(project: Project) -> None:
    before = project.sequences.read_text(encoding="utf-8")
    article = str(project.root / "articles" / "back-spasms.txt")
    args = ["generate", article, "-o", str(project.sequences), "--merge"]
    dry = CliRunner().invoke(main, [*args, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.startswith(f"--- {project.sequences}\n+++ {project.sequences} (merged)\n")
    assert "+      - id: massage\n" in dry.stdout
    assert "nothing written (--dry-run)" in dry.stderr
    assert project.sequences.read_text(encoding="utf-8") == before
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    assert done.stdout == dry.stdout
    assert project.sequences.read_text(encoding="utf-8") == _merge(project).text


def test_merge_needs_the_file_to_merge_into(project: Project, tmp_path: Path) -> None:
    article = str(project.root / "articles" / "back-spasms.txt")
    for args, said in (
        (["--merge"], "--merge needs -o FILE"),
        (["--dry-run", "-o", "x.yaml"], "--dry-run shows what --merge would change"),
        (["--merge", "-o", str(tmp_path / "none.yaml")], "none.yaml does not exist"),
    ):
        result = CliRunner().invoke(main, ["generate", article, *args])
        assert result.exit_code == 2, result.output
        assert said in result.output
    with pytest.raises(errors.UsageError):
        merging.merge(Path(article), output=tmp_path / "none.yaml", format=None)
