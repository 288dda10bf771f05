"""A first name that tries to add a header, through `drip subscribe` and `drip import`, as the
relay receives it: one recipient, no Bcc, the header block whole (issue: an encoded-word in
the name used to be decoded into a raw line break while the email package folded the To)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_harness import Drip

NOW = "2026-12-01T15:00:00Z"  # a Tuesday afternoon: inside every patient's send window
NAMES = [
    "Ana =?utf-8?q?=0D=0ABcc:=20evil=40x.org?=",
    "Ana =?utf-8?q?=0D=0A=0D=0A?=",
    "é =?utf-8?q?=3Cevil=40x=2Eorg=3E?=",
]


def assert_one_clean_message(drip: Drip, recipient: str) -> None:
    drip("tick", "--now", NOW)
    [received] = drip.sink.messages
    assert received.rcpt_tos == (recipient,)
    head = received.data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    names = [line.partition(":")[0] for line in head.split("\r\n") if line[:1] not in " \t"]
    assert "Bcc" not in names and "Cc" not in names
    assert names.count("To") == names.count("Subject") == names.count("List-Unsubscribe") == 1
    assert received.message["To"].addresses[0].addr_spec == recipient
    assert "evil" not in received.message["To"].addresses[0].addr_spec


@pytest.mark.parametrize("name", NAMES)
def test_drip_subscribe(drip: Drip, name: str) -> None:
    drip("subscribe", "v@example.com", "--name", name, "--cause", "muscle-injury", "--confirmed",
         "--tz", "Europe/London", "--now", NOW)  # fmt: skip
    assert_one_clean_message(drip, "v@example.com")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_drip_import(drip: Drip, tmp_path: Path) -> None:
    rows = "".join(f'"v{n}@example.com","{name}",muscle-injury,Europe/London\n' for n, name in
                   enumerate(NAMES))  # fmt: skip
    (tmp_path / "p.csv").write_text("email,name,cause,timezone\n" + rows, encoding="utf-8")
    drip("import", str(tmp_path / "p.csv"), "--confirmed", "--now", NOW)
    drip("tick", "--now", NOW)
    assert sorted(r for m in drip.sink.messages for r in m.rcpt_tos) == [
        f"v{n}@example.com" for n in range(len(NAMES))
    ]
    for received in drip.sink.messages:
        head = received.data.split(b"\r\n\r\n", 1)[0].decode("ascii")
        assert not any(line.startswith(("Bcc", "Cc")) for line in head.split("\r\n"))
