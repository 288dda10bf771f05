"""`drip check` on a template that would run away (time, memory, output): each is reported as
a problem at the template's line, promptly, with no traceback. The CLI runs as a subprocess
with a 2 GB address-space limit and a deadline, so that a regression fails this test instead of
taking the machine (a payload unbounded made 20 GB in the audit)."""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import runaways
from runaways import RUNAWAYS

ROOT = Path(__file__).resolve().parents[2]
MEMORY = 2 * 1024**3  # bytes of address space the CLI may take
BOUND = 20.0  # seconds: a correctness bound, not a benchmark


WRITTEN_BY_THE_LAYOUT = {"written"}


def _limited() -> None:  # in the child, before exec: its address space is capped
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "articles").mkdir()
    shutil.copy(ROOT / "articles" / "back-spasms.txt", tmp_path / "articles")
    shutil.copytree(ROOT / "templates" / "emails", tmp_path / "templates" / "emails")
    shutil.copy(Path(__file__).parent / "valid.yaml", tmp_path / "sequences.yaml")
    return tmp_path


def with_payload(project: Path, payload: str) -> int:
    return runaways.with_payload(project / "templates" / "emails", payload)


@pytest.mark.parametrize("name", RUNAWAYS)
def test_drip_check_reports_a_runaway_template_at_its_line(name: str, project: Path) -> None:
    payload, message = RUNAWAYS[name]
    line = with_payload(project, payload)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", "from drip.cli import main; main()", "check"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=_limited,
    )
    took = time.monotonic() - started
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    # Output is counted where it is written: a block's text is written by the layout's line
    # that shows the block (base.mjml.j2), everything else stops at the payload's own line.
    where = (
        "templates/emails/base.mjml.j2:"
        if name in WRITTEN_BY_THE_LAYOUT
        else f"templates/emails/tip.mjml.j2:{line}:"
    )
    reported = [x for x in done.stdout.splitlines() if x.startswith("templates/emails/")]
    assert reported, done.stdout
    assert reported[0].startswith(where), reported
    assert message in reported[0], reported
    assert took < BOUND
