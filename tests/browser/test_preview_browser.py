"""`drip preview` in a real Chromium: every step of every sequence renders at both widths for
every sample patient; editing sequences.yaml reloads the page by itself; a YAML mistake shows
in the page with its line, and mending it brings the emails back. Screenshots land in
test-artifacts/preview/ (docs/preview.png is one of them)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from drip.service import app as app_module
from drip.service import preview_pages, preview_server
from workbench_files import Project

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / "test-artifacts" / "preview"
START = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
WIDTHS = (preview_pages.PHONE, preview_pages.DESKTOP)
WAIT = 15_000  # ms: a rebuild takes about a second; a loaded machine, more

pytestmark = pytest.mark.browser


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project.copy(tmp_path)


@pytest.fixture
def server(project: Project) -> Any:
    with preview_server.PreviewServer(project.config(), start=START, poll=0.1) as running:
        yield running


@pytest.fixture
def page(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1720, "height": 1000})
    opened = context.new_page()
    yield opened
    context.close()


def _frames_of(page: Any) -> list[tuple[str, int, Any]]:
    """(title, width, frame) of every email framed in the page, once each has loaded."""
    found = []
    for element in page.query_selector_all("iframe"):
        frame = element.content_frame()
        assert frame is not None
        frame.wait_for_load_state("load")
        found.append((element.get_attribute("title"), int(element.get_attribute("width")), frame))
    return found


def test_every_step_of_every_sequence_renders_at_both_widths(server, page) -> None:
    page.goto(server.url)
    assert "0 problems, 0 warnings" in page.inner_text(".check")
    links = page.eval_on_selector_all(
        ".sequence p a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(links) == 16  # 4 sequences, each as 4 sample patients
    # every sequence as the first sample patient; every sample patient (the long name, the
    # one beyond ASCII) on one sequence
    chosen = [link for link in links if link.startswith("sam/") or "muscle-injury" in link]
    shown: set[tuple[str, str, int]] = set()
    for link in chosen:
        page.goto(server.url + link)
        steps = page.eval_on_selector_all("section.step h2", "hs => hs.map(h => h.innerText)")
        frames = _frames_of(page)
        assert len(frames) == 2 * len(steps) and len(steps) in (7, 8)  # the opt-in, the steps
        for title, width, frame in frames:
            assert width in WIDTHS
            body = frame.evaluate("document.body.innerText")
            assert "not medical advice" in body.lower(), f"{link}: {title} is not the whole email"
            scroll = frame.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"{link}: {title} is {scroll} px wide at {width} px"
            shown.add((link.split("/")[1], title, width))
        texts = page.eval_on_selector_all(".text pre", "ps => ps.map(p => p.innerText)")
        assert all("not medical advice" in t.lower() for t in texts)
    plan, _ = app_module.load_plan(server.cfg)
    emails = sum(len(s.steps) + 1 for s in plan.sequences.values())  # the steps and the opt-in
    assert len(shown) == emails * len(WIDTHS)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(server.url + "sam/muscle-injury.html#heat-and-ice")
    _frames_of(page)
    page.screenshot(path=str(SHOTS / "sequence.png"))


def test_editing_sequences_yaml_reloads_the_page_by_itself(server, page, project) -> None:
    page.goto(server.url + "sam/muscle-injury.html")
    rest = page.locator("section#rest dd").first
    assert rest.inner_text() == "Back spasms: rest"
    page.evaluate("window.dripMarker = 'before the edit'")
    project.edit('subject: "Back spasms: rest"', 'subject: "Back spasms: rest, then move"')
    project.edit("A day of rest can help", "A day of rest, no more, can help")
    page.wait_for_function(
        "() => document.querySelector('section#rest dd')?.innerText.endsWith('then move') === true",
        timeout=WAIT,
    )
    assert page.evaluate("window.dripMarker") is None  # a new page: it reloaded by itself
    frame = page.frame_locator("section#rest iframe").first
    frame.locator("text=A day of rest, no more, can help").wait_for(timeout=WAIT)


def test_a_yaml_mistake_shows_in_the_page_with_its_line(server, page, project) -> None:
    page.goto(server.url)
    line = project.line_of('subject: "Back spasms: heat and ice"')
    project.edit('subject: "Back spasms: heat and ice"', 'subject: "Back spasms: heat and ice')
    page.wait_for_function("() => document.querySelector('.check.problems') !== null", timeout=WAIT)
    problem = page.inner_text(".checks li.problem")
    assert f"sequences.yaml:{line}:" in problem
    assert "is not closed on this line" in problem
    assert page.query_selector_all("section.sequence") == []
    page.screenshot(path=str(SHOTS / "problem.png"))
    project.edit('subject: "Back spasms: heat and ice', 'subject: "Back spasms: heat and ice"')
    page.wait_for_function("() => document.querySelector('.check.clean') !== null", timeout=WAIT)
    assert len(page.query_selector_all("section.sequence")) == 4
