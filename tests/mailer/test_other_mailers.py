"""FileMailer, MemoryMailer, URL parsing and the Mailer port."""

from __future__ import annotations

import email.policy
from collections.abc import Callable
from pathlib import Path

import pytest

from drip import errors, mailer

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


def test_every_mailer_satisfies_the_port(tmp_path: Path) -> None:
    ports: list[mailer.Mailer] = [
        mailer.MemoryMailer(),
        mailer.FileMailer(tmp_path),
        mailer.from_url("smtp://127.0.0.1:2525"),
    ]
    assert all(callable(p.send) and callable(p.close) for p in ports)


# --- SMTP URLs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "port", "security"),
    [
        ("smtp://relay.example", 25, mailer.Security.NONE),
        ("smtp://relay.example:587", 587, mailer.Security.STARTTLS),
        ("smtp://relay.example:587?starttls=false", 587, mailer.Security.NONE),
        ("smtp://relay.example:2525?starttls=true", 2525, mailer.Security.STARTTLS),
        ("smtps://relay.example", 465, mailer.Security.TLS),
        ("smtps://relay.example:2465", 2465, mailer.Security.TLS),
    ],
)
def test_url_security_and_port(url: str, port: int, security: mailer.Security) -> None:
    settings = mailer.SmtpSettings.from_url(url)
    assert (settings.host, settings.port, settings.security) == ("relay.example", port, security)


def test_url_credentials_are_percent_decoded_and_never_shown() -> None:
    url = "smtp://apikey%40clinic:p%40ss%2Fw0rd@relay.example:587?timeout=12.5&mail_from=b%40x.org"
    settings = mailer.SmtpSettings.from_url(url)
    assert (settings.username, settings.password) == ("apikey@clinic", "p@ss/w0rd")
    assert (settings.timeout, settings.mail_from) == (12.5, "b@x.org")
    assert "p@ss" not in repr(settings) and "p%40ss" not in repr(settings)
    assert mailer.redact(url) == (
        "smtp://apikey%40clinic:***@relay.example:587?timeout=12.5&mail_from=b%40x.org"
    )
    assert settings.where == "relay.example:587"


@pytest.mark.parametrize(
    ("url", "complaint"),
    [
        ("smtp://u:secret@relay.example?tls=yes", "unknown option 'tls'"),
        ("smtp://u:secret@relay.example?starttls=maybe", "must be true or false"),
        ("smtp://u:secret@relay.example?timeout=0", "must be a number of seconds > 0"),
        ("smtps://u:secret@relay.example?starttls=true", "smtps:// is TLS already"),
        ("smtp://u:secret@relay.example:port", "invalid port"),
        ("ftp://u:secret@relay.example", "not a mailer URL"),
        ("file://", "names no directory"),
    ],
)
def test_bad_urls_name_the_problem_without_the_password(url: str, complaint: str) -> None:
    with pytest.raises(errors.ConfigError) as caught:
        mailer.from_url(url)
    assert complaint in str(caught.value)
    assert "secret" not in str(caught.value)
