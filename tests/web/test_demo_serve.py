"""`drip demo --serve`, as a newcomer runs it: every link in the demo's emails works, and a
sign-up on the served page gets its opt-in email (written to the outbox folder)."""

from __future__ import annotations

import email
import email.policy
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from site_harness import form_token
from web_server import free_port

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def text_of(path: Path) -> str:
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = parsed.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


def wait_for(condition, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)
    return found


def healthy(url: str) -> bool:
    try:
        return httpx.get(url + "/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_demo_serve_answers_the_links_of_its_own_emails(tmp_path: Path) -> None:
    port, out = free_port(), tmp_path / "demo-out"
    command = [
        sys.executable,
        "-c",
        "from drip.cli import main; main()",
        "demo",
        "--out",
        str(out),
        "--serve",
        "--port",
        str(port),
    ]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    log = (tmp_path / "demo.log").open("wb")
    proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: healthy(url), timeout=60, what="the demo's web app")
        welcome = next(p for p in sorted(out.glob("*.eml")) if "/p/" in text_of(p))
        text = text_of(welcome)
        preferences = re.search(rf"{url}/p/[\w.-]+", text)
        unsubscribe = re.search(rf"{url}/u/[\w.-]+", text)
        assert preferences and unsubscribe, "the emails' links do not point at the served app"
        with httpx.Client(timeout=10) as browser:
            page = browser.get(preferences.group(0))
            assert page.status_code == 200 and "Your email preferences" in page.text
            assert browser.post(unsubscribe.group(0)).status_code == 200
            sign_up = browser.get(url + "/")
            fields = {
                "email": "newcomer@example.com",
                "cause": "not-sure",
                "consent": "yes",
                "form_token": form_token(sign_up.text),
            }
            assert browser.post(url + "/subscribe", data=fields).status_code == 303
        opt_in = wait_for(
            lambda: list((out / "outbox").glob("*.eml")),
            timeout=30,
            what="the newcomer's opt-in email",
        )
        assert f"{url}/c/" in text_of(opt_in[0])
    finally:
        proc.send_signal(signal.SIGINT)
        code = proc.wait(15)
        log.close()
    assert code == 0, (tmp_path / "demo.log").read_text()


def test_drip_serve_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DRIP_DATABASE_URL": f"sqlite:///{tmp_path / 'd.db'}",
        "DRIP_SECRET_KEY": "serve-test-secret-key-0123456789abcdefghij",
        "DRIP_SUPPRESSION_KEY": "serve-test-suppression-key-0123456789abcd",
    }
    drip = [sys.executable, "-c", "from drip.cli import main; main()"]
    subprocess.run([*drip, "db", "upgrade"], cwd=REPO, env=env, check=True, capture_output=True)
    log = (tmp_path / "serve.log").open("wb")
    proc = subprocess.Popen(
        [*drip, "serve", "--port", str(port)], cwd=REPO, env=env, stdout=log, stderr=log
    )
    try:
        wait_for(lambda: healthy(f"http://127.0.0.1:{port}"), timeout=30, what="drip serve")
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(10)
        log.close()
    assert code == 0, (tmp_path / "serve.log").read_text()
    assert "GET /healthz 200" in (tmp_path / "serve.log").read_text()
