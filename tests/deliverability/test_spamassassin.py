"""Every committed email scores under 0.5 with SpamAssassin's local tests, and `drip check
--deliverability` says each email's score and the rules that fired."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import committed
from drip.cli import main
from drip.rendering import spam
from drip.service import check_emails, checking

TARGET = 0.5


def test_every_committed_email_scores_under_half_a_point(spamassassin: str) -> None:
    emails = committed.emails()
    scores = spam.score([email.message for email in emails])
    assert len(scores) == len(emails) == 29  # 4 sequences of 7 steps, and the opt-in
    over = {e.name: s.fired() for e, s in zip(emails, scores, strict=True) if s.points >= TARGET}
    assert over == {}


def test_a_preheader_hidden_with_a_white_font_is_caught(spamassassin: str) -> None:
    """The way mj-preview hides the preheader (display:none; color:#ffffff) scores 0.7: the
    scorer sees what it should."""
    email = committed.emails()[0]
    hidden = 'style="display:none;font-size:1px;color:#ffffff;line-height:1px;max-height:0px;'
    low = email.html.replace('class="drip-preheader" style="display:none;', hidden, 1)
    assert low != email.html
    loaded, _ = committed.plan()
    message = check_emails.compose(loaded, email.rendered, first_name="Sam")  # a copy to change
    message.get_body(("html",)).set_content(low, subtype="html")  # type: ignore[union-attr]
    [score] = spam.score([message])
    assert dict(score.rules)["HTML_FONT_LOW_CONTRAST"] > 0.5
    assert score.points >= TARGET


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "articles").mkdir()
    shutil.copy(committed.REPO / "articles" / "back-spasms.txt", tmp_path / "articles")
    shutil.copytree(committed.TEMPLATES, tmp_path / "templates" / "emails")
    shutil.copy(committed.SEQUENCES, tmp_path / "sequences.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_drip_check_deliverability_prints_each_emails_score(
    spamassassin: str, project: Path
) -> None:
    result = CliRunner().invoke(main, ["check", "--deliverability"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = lines.index("SpamAssassin, local tests (drip's emails score under 0.5; 5 is spam):")
    scored = lines[header + 1 : header + 30]
    assert [line.split()[0] for line in scored] == [e.name for e in committed.emails()]
    assert all(float(line.split()[1]) < TARGET for line in scored)
    assert "HTML_MESSAGE 0.001" in scored[0]
    assert lines[-1] == (
        "checked 4 sequences, 28 steps and the opt-in email, all rendered: 0 problems, 0 warnings"
    )


def test_a_high_score_is_a_warning_at_the_step(spamassassin: str, project: Path) -> None:
    base = project / "templates" / "emails" / "base.mjml.j2"
    text = base.read_text(encoding="utf-8")
    white = 'style="display:none;color:#ffffff;font-size:1px;max-height:0;'
    base.write_text(text.replace('style="display:none;max-height:0;', white), encoding="utf-8")
    report = checking.check(
        sequences_path=Path("sequences.yaml"),
        templates_dir=Path("templates/emails"),
        deliverability=True,
    )
    assert report.problems == []
    by_place = {w.where: w for w in report.warnings}
    first = by_place["sequences.muscle-injury.steps[0]"]
    assert first.line == 79  # the welcome's first key
    assert first.message.startswith("SpamAssassin scores this email 1.712 (")
    assert "HTML_FONT_LOW_CONTRAST 0.713" in first.message
    assert first.message.endswith("some filters add up small scores; drip's emails score under 0.5")
    assert len(report.warnings) == 29
