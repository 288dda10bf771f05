"""Templates that would run away (huge ranges, repeats and powers, loops within loops, endless
recursion) fail like any other template mistake: a TemplateError at their line, quickly."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import rendering_seed as seed

import runaways
from drip import content, rendering, sequences

RUNAWAYS = {
    name: runaways.RUNAWAYS[name]
    for name in ("range", "repeat", "power", "nested ranges", "recursion")
}


@pytest.fixture
def templates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return Path(shutil.copytree(seed.TEMPLATES, tmp_path_factory.mktemp("t") / "emails"))


@pytest.mark.parametrize("name", RUNAWAYS)
def test_a_runaway_template_fails_at_its_line(
    name: str, templates: Path, plan: sequences.Plan, article: content.Article
) -> None:
    payload, message = RUNAWAYS[name]
    line = runaways.with_payload(templates, payload)
    renderer = rendering.Renderer(plan=plan, article=article, templates=templates)
    with pytest.raises(rendering.TemplateError) as caught:
        renderer.step("muscle-injury", "heat-and-ice")
    assert message in caught.value.reason
    assert (Path(caught.value.file).name, caught.value.line) == ("tip.mjml.j2", line)


def test_drip_check_reports_a_runaway_within_a_bounded_time(templates: Path) -> None:
    """A subprocess with a deadline: a template that ran away would hang here, not pass."""
    runaways.with_payload(templates, RUNAWAYS["nested ranges"][0])
    probe = textwrap.dedent(f"""
        from pathlib import Path
        from drip.service import checking
        report = checking.check(sequences_path=Path({str(seed.REPO / "sequences.yaml")!r}),
                                templates_dir=Path({str(templates)!r}))
        print(checking.format_human(report))
    """)
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert "tip.mjml.j2" in done.stdout and "would run more than 100,000 times" in done.stdout
