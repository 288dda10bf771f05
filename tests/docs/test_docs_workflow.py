"""The README's commands run as written, from a copy of the project files: the marketer's
workflow (ingest, generate, check, render) and the demo of the first code block."""

from __future__ import annotations

import difflib
import email
import email.policy
import json
import os
import re
import shutil
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from docs_text import REPO, drip_commands, readme_blocks

from drip import content, ingest, sequences_yaml
from drip.cli import main
from drip.generate import yamltext

pytestmark = pytest.mark.slow
PROJECT_FILES = ("sequences.yaml", "articles", "templates")
HAND_EDITED = "EDITED BY HAND"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of what a clinic's repository holds, as the working directory; no DRIP_* set."""
    for name in PROJECT_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name)
        else:
            shutil.copy2(source, tmp_path / name)
    for key in list(os.environ):
        if key.startswith("DRIP_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def workflow() -> list[list[str]]:
    """The commands of the README's marketer's workflow block, in order."""
    block = next(b for b in readme_blocks() if b.heading == "The marketer's workflow")
    return [args for line in block.lines for args in drip_commands(line)]


def run(args: list[str]) -> Result:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, f"drip {' '.join(args)} → {result.exit_code}\n{result.output}"
    return result


def test_the_marketers_workflow_runs_as_written(project: Path) -> None:
    steps = workflow()
    assert [args[0] for args in steps] == ["ingest", "ingest", "generate", "check", "render"]
    outline, as_json, generated, checked, _ = (run(args) for args in steps)

    article = ingest.read_article(project / "articles" / "back-spasms.txt")
    for slug in article.slugs():
        assert slug in outline.stdout, f"the outline lacks {slug}"
    assert "Unplaced" in outline.stdout

    tree = json.loads(as_json.stdout)
    assert_content_json_shape(tree)
    assert content.Article.from_json(tree) == article

    assert "wrote sequences.yaml" in generated.stdout
    assert "0 problems" in checked.stdout

    out = project / "out"
    stem = "muscle-injury-heat-and-ice"
    assert {p.name for p in out.iterdir()} == {f"{stem}.{x}" for x in ("html", "txt", "eml")}
    message = parse_eml(out / f"{stem}.eml")
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert "<html" in (out / f"{stem}.html").read_text(encoding="utf-8").lower()
    assert (out / f"{stem}.txt").read_text(encoding="utf-8").strip()


def test_the_readme_json_example_has_the_shape_drip_prints(project: Path) -> None:
    block = next(b for b in readme_blocks() if b.language == "json")
    assert_content_json_shape(json.loads("\n".join(block.lines)))


def test_generate_twice_gives_the_same_file(project: Path) -> None:
    (generate,) = [args for args in workflow() if args[0] == "generate"]
    run(generate)
    first = (project / "sequences.yaml").read_bytes()
    run(generate)
    assert (project / "sequences.yaml").read_bytes() == first
    fresh = [*generate[:-1], "fresh.yaml"]  # no clinic block to keep: the generator's own
    run(fresh)
    once = (project / "fresh.yaml").read_bytes()
    (project / "fresh.yaml").unlink()
    run(fresh)
    assert (project / "fresh.yaml").read_bytes() == once


def test_generate_reproduces_the_committed_file_but_for_its_hand_edits(project: Path) -> None:
    """Byte for byte, except in a sequence marked EDITED BY HAND: there the same steps (by id,
    with the same delay, template, preheader and content) in the marketer's order."""
    (generate,) = [args for args in workflow() if args[0] == "generate"]
    committed = (REPO / "sequences.yaml").read_text(encoding="utf-8")
    run(generate)
    proposed = (project / "sequences.yaml").read_text(encoding="utf-8")
    diff = "".join(
        difflib.unified_diff(
            committed.splitlines(keepends=True),
            proposed.splitlines(keepends=True),
            "sequences.yaml (committed)",
            "sequences.yaml (drip generate)",
        )
    )
    head_c, blocks_c = split_sequences(committed)
    head_p, blocks_p = split_sequences(proposed)
    assert head_p == head_c, diff
    assert list(blocks_p) == list(blocks_c), diff
    plan_c = sequences_yaml.load(committed, file="committed")
    plan_p = sequences_yaml.load(proposed, file="proposed")
    for cause, block in blocks_c.items():
        if HAND_EDITED not in block:
            assert blocks_p[cause] == block, diff
            continue
        assert step_facts(plan_p, cause) == step_facts(plan_c, cause), diff
    # the article's items, last: what lets the first --merge tell a removed step from a new one
    assert (
        committed[committed.index(yamltext.KNOWN) :] == proposed[proposed.index(yamltext.KNOWN) :]
    )


def test_the_demo_of_the_first_code_block_writes_every_email_and_an_index(project: Path) -> None:
    (demo,) = [args for args in drip_commands(readme_blocks()[0].lines[0]) if args[0] == "demo"]
    run(demo)
    out = project / demo[demo.index("--out") + 1]

    links = hrefs((out / "index.html").read_text(encoding="utf-8"))
    for link in links:
        assert (out / link).is_file(), f"index.html links to {link}, which does not exist"
    pages = {p.name for p in out.glob("*.html")} - {"index.html"}
    emls = sorted(out.glob("*.eml"))
    assert {link for link in links if link.endswith(".html")} == pages
    assert {link for link in links if link.endswith(".eml")} == {p.name for p in emls}

    plan = sequences_yaml.load((project / "sequences.yaml").read_text(encoding="utf-8"), file="s")
    steps = sum(len(plan.sequences[cause.slug].steps) for cause in plan.causes)
    assert len(emls) == steps + len(plan.causes)  # every step, plus one opt-in per patient
    recipients = {str(parse_eml(path)["To"]) for path in emls}
    assert len(recipients) == len(plan.causes)  # one sample patient per cause


# --- helpers ---------------------------------------------------------------------------


def assert_content_json_shape(tree: dict[str, object]) -> None:
    assert set(tree) == {"schema", "slug", "title", "author", "date", "sections", "unplaced"}
    sections = tree["sections"]
    assert isinstance(sections, list) and sections
    for section in sections:
        assert set(section) == {
            "slug", "title", "role", "confidence", "evidence", "body", "items",
        }  # fmt: skip
        assert section["role"] in {role.value for role in content.Role}
        assert 0 <= section["confidence"] <= 1 and isinstance(section["evidence"], list)
        for item in section["items"]:
            assert set(item) == {"slug", "title", "body"}
    unplaced = tree["unplaced"]
    assert isinstance(unplaced, list)
    for entry in unplaced:
        assert set(entry) == {"line", "text", "reason"}


def split_sequences(text: str) -> tuple[str, dict[str, str]]:
    """The file up to `sequences:`, and the text of each sequence by cause."""
    head, marker, rest = text.partition("\nsequences:\n")
    assert marker, "no sequences: section"
    blocks: dict[str, str] = {}
    cause = None
    for line in rest.splitlines(keepends=True):
        if match := re.match(r"^  ([a-z0-9-]+):\s*$", line):
            cause = match.group(1)
            blocks[cause] = ""
        if cause is not None:
            blocks[cause] += line
    return head, blocks


def step_facts(plan: object, cause: str) -> dict[str, tuple[object, ...]]:
    sequence = plan.sequences[cause]  # type: ignore[attr-defined]
    return {
        step.id: (
            step.after,
            step.template,
            step.preheader,
            tuple(step.content),
            re.sub(r"^Tip \d+: ", "Tip N: ", step.subject),
        )
        for step in sequence.steps
    }


def parse_eml(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def hrefs(html: str) -> list[str]:
    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.found += [v for k, v in attrs if tag == "a" and k == "href" and v]

    parser = Links()
    parser.feed(html)
    return parser.found
