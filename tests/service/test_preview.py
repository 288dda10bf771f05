"""The preview's pages, read as files: every email for every sample patient, send times from
the planner, problems at their lines instead of a crash, and each step against git HEAD."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest

from drip.service import preview
from workbench_files import Project

START = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)  # Monday, 09:00 in Chicago


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.copy(tmp_path)


@pytest.fixture(scope="module")
def committed(tmp_path_factory: pytest.TempPathFactory) -> preview.Site:
    """The site of the committed project, untouched (built once: several tests read it)."""
    project = Project.copy(tmp_path_factory.mktemp("committed"))
    return preview.build(project.config(), start=START, live=False)


def _page(site: preview.Site, name: str) -> str:
    return site.files[name].decode()


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_every_email_of_every_sequence_for_every_sample_patient(committed: preview.Site) -> None:
    site = committed
    mails = [name for name in site.files if name.startswith("mail/")]
    assert len(mails) == 4 * (28 + 1)  # 4 sample patients: every step, and the opt-in email
    pages = [name for name in site.files if re.fullmatch(r"[a-z-]+/[a-z-]+\.html", name)]
    assert len(pages) == 16
    assert site.problems == 0
    assert "live.js" not in site.files and "<script" not in _page(site, "index.html")
    sam = _page(site, "sam/muscle-injury.html")
    assert sam.count('width="375"') == sam.count('width="640"') == 8
    assert 'src="../mail/sam/muscle-injury/heat-and-ice.html"' in sam
    assert "Hello," in _page(site, "mail/no-name/muscle-injury/rest.html")
    assert "Hi Zoë-Łucja," in _page(site, "mail/non-ascii/not-sure/welcome.html")
    assert "To Zoë-Łucja <sample.patient@example.com>" in _text(
        _page(site, "non-ascii/not-sure.html")
    )


def test_send_times_are_the_planner_s_with_the_window_applied(committed: preview.Site) -> None:
    site = committed
    shown = _text(_page(site, "sam/muscle-injury.html"))
    assert "Sent Mon 14 Dec 2026 09:00 CST (UTC-06:00) · 2026-12-14 15:00 UTC; its delay ends " in (
        shown
    )
    assert "Sun 13 Dec 09:00, outside the send window" in shown
    kolkata = _text(_page(site, "long-name/muscle-injury.html"))
    assert "Sent Tue 08 Dec 2026 09:00 IST (UTC+05:30) · 2026-12-08 03:30 UTC" in kolkata


def test_the_served_pages_reload_themselves_the_written_ones_do_not(project: Project) -> None:
    site = preview.build(project.config(), start=START, live=True)
    assert "live.js" in site.files
    page = _page(site, "sam/muscle-injury.html")
    assert f'data-version="{site.version}"' in page and 'src="../live.js"' in page
    assert preview.version_of(preview.inputs(project.config())) == site.version
    project.edit("A day of rest can help", "A day of rest may help")
    assert preview.version_of(preview.inputs(project.config())) != site.version


def test_a_broken_template_shows_its_problem_and_the_other_emails(project: Project) -> None:
    project.edit("{{ step.number }} of", "{{ step.numbr }} of", name="templates/emails/tip.mjml.j2")
    site = preview.build(project.config(), start=START, live=False)
    index = _text(_page(site, "index.html"))
    assert site.problems >= 1
    assert re.search(r"templates/emails/tip\.mjml\.j2:3:\d+ .*step\.numbr", index), index
    page = _text(_page(site, "sam/muscle-injury.html"))
    assert page.count("Cannot be shown:") == 5  # the five tips
    assert "mail/sam/muscle-injury/welcome.html" in site.files


def test_a_samples_file_with_a_mistake_is_shown_and_drip_s_own_samples_stand_in(
    project: Project,
) -> None:
    project.edit('timezone: "Asia/Kolkata"', 'timezone: "Asia/Calcutta City"', name="samples.yaml")
    site = preview.build(project.config(), start=START, live=False)
    index = _text(_page(site, "index.html"))
    assert "samples.yaml:21:15 patients[2].timezone: unknown time zone" in index
    assert "drip's own sample patients" in index
    assert "sam/muscle-injury.html" in site.files


def test_each_step_is_compared_with_git_head(project: Project) -> None:
    project.commit()
    project.edit('subject: "Back spasms: rest"', 'subject: "Back spasms: rest, then move"')
    project.edit("- id: rest\n        after: 2d", "- id: rest\n        after: 3d")
    site = preview.build(project.config(), start=START, live=False)
    index = _page(site, "index.html")
    assert re.search(r"Steps are compared with git HEAD \([0-9a-f]{7,}\)", index)
    assert "Since git HEAD: delay of rest changed 2d → 3d; changed content of step rest." in index
    assert index.count("changed since HEAD: compare") == 1
    change = _text(_page(site, "changes/muscle-injury/rest.html"))
    before, after = change.split(" Now ")
    assert "Subject Back spasms: rest Preheader" in before and "After 2d" in before
    assert "Subject Back spasms: rest, then move Preheader" in after and "After 3d" in after
    assert "mail/HEAD/muscle-injury/rest.html" in site.files
    sam = _page(site, "sam/muscle-injury.html")
    assert 'href="../changes/muscle-injury/rest.html"' in sam


def test_a_step_added_since_head_is_new(project: Project) -> None:
    project.commit()
    project.edit(
        "      - id: closing\n",
        "      - id: posture\n        after: 1d\n        template: tip.mjml.j2\n"
        '        subject: "Back spasms: posture"\n        preheader: "Sit well."\n'
        "        content: [back-spasms/treatments/rest]\n      - id: closing\n",
    )
    site = preview.build(project.config(), start=START, live=False)
    assert "Since git HEAD: added step posture." in _page(site, "index.html")
    assert "new since HEAD" in _page(site, "sam/muscle-injury.html")


def test_outside_a_git_checkout_nothing_is_compared(committed: preview.Site) -> None:
    site = committed
    index = _page(site, "index.html")
    assert "No comparison with git HEAD: this folder is not a git checkout." in index
    assert not any(name.startswith("changes/") for name in site.files)


def test_write_puts_the_site_in_a_folder(committed: preview.Site, tmp_path: Path) -> None:
    site = committed
    count = preview.write(site, tmp_path / "out")
    assert count == len(site.files)
    assert (tmp_path / "out" / "index.html").read_bytes() == site.files["index.html"]
    assert (tmp_path / "out" / "mail" / "sam" / "not-sure" / "closing.html").is_file()


def test_a_commit_changes_the_version_so_the_comparison_is_redone(project: Project) -> None:
    project.commit()
    before = preview.version_of(preview.inputs(project.config()))
    project.edit("A day of rest can help", "A day of rest may help")
    edited = preview.version_of(preview.inputs(project.config()))
    project.commit()
    assert len({before, edited, preview.version_of(preview.inputs(project.config()))}) == 3
