"""FileMailer, MemoryMailer, URL parsing and the Mailer port."""

from __future__ import annotations

import email.policy
from collections.abc import Callable
from pathlib import Path

import pytest

from drip import errors, mailer
from smtp_sink import SmtpSink

Make = Callable[..., email.message.EmailMessage]


def test_file_mailer_writes_numbered_eml_files_as_smtp_bytes(
    tmp_path: Path, make_message: Make
) -> None:
    outbox = tmp_path / "new" / "outbox"
    with mailer.FileMailer(outbox) as files:
        files.send(make_message(1))
        files.send(make_message(2))
    paths = sorted(outbox.iterdir())
    assert [p.name[:7] for p in paths] == ["000001-", "000002-"]
    assert all(p.suffix == ".eml" and len(p.stem) == 6 + 1 + 12 for p in paths)
    assert paths[1].read_bytes() == make_message(2).as_bytes(policy=email.policy.SMTP)


def test_file_mailer_continues_numbering_and_names_by_message_id(
    tmp_path: Path, make_message: Make
) -> None:
    mailer.FileMailer(tmp_path).send(make_message(1))
    second = mailer.FileMailer(tmp_path)
    second.send(make_message(1))  # same Message-ID: same hash, next number, nothing overwritten
    names = [p.name for p in second.outbox()]
    assert [n[:7] for n in names] == ["000001-", "000002-"]
    assert names[0][7:] == names[1][7:]
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*"))


def test_file_url_relative_and_absolute(
    tmp_path: Path, make_message: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    relative = mailer.from_url("file://outbox/sub")
    absolute = mailer.from_url(f"file://{tmp_path}/abs")
    assert isinstance(relative, mailer.FileMailer) and isinstance(absolute, mailer.FileMailer)
    relative.send(make_message(1))
    absolute.send(make_message(2))
    assert len(list((tmp_path / "outbox" / "sub").glob("*.eml"))) == 1
    assert len(list((tmp_path / "abs").glob("*.eml"))) == 1


def test_memory_mailer_records_and_fails_on_request(make_message: Make) -> None:
    memory = mailer.MemoryMailer()
    memory.fail_next(2, errors.SendError("try later", code=451, enhanced="4.3.0"))
    for _ in range(2):
        with pytest.raises(errors.SendError) as caught:
            memory.send(make_message(1))
        assert (caught.value.code, caught.value.enhanced, str(caught.value)) == (
            451,
            "4.3.0",
            "try later",
        )
    memory.send(make_message(1))
    assert [m["Subject"] for m in memory.sent] == ["Tip 1"]
    with memory:
        pass
    assert memory.closed


def test_memory_urls_share_a_mailer_by_name() -> None:
    assert mailer.from_url("memory://outbox-a") is mailer.from_url("memory://outbox-a")
    assert mailer.from_url("memory://outbox-a") is not mailer.from_url("memory://outbox-b")
    assert mailer.from_url("memory://") is not mailer.from_url("memory://")


@pytest.mark.parametrize("kind", ["memory", "file", "smtp"])
def test_every_mailer_hands_the_same_bytes_over_and_closes(
    kind: str, tmp_path: Path, make_message: Make, sink: SmtpSink
) -> None:
    """The port, behaviourally: what each mailer delivers is the message as SMTP carries it."""
    url = {"memory": "memory://port-test", "file": f"file://{tmp_path}", "smtp": sink.url}[kind]
    message = make_message(7)
    with mailer.from_url(url) as port:
        port.send(message)
    expected = message.as_bytes(policy=email.policy.SMTP)
    if kind == "memory":
        shared = mailer.from_url("memory://port-test")
        assert isinstance(shared, mailer.MemoryMailer) and shared.closed
        [kept] = shared.sent
        assert kept.as_bytes(policy=email.policy.SMTP) == expected
    elif kind == "file":
        [written] = tmp_path.glob("*.eml")
        assert written.read_bytes() == expected
    else:
        [received] = sink.wait_for(1)
        assert received.data.replace(b"\r\n", b"\n") == expected.replace(b"\r\n", b"\n")
        assert received.rcpt_tos == ("patient@example.org",)
        sink.wait_all_closed()
