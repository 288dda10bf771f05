"""DRIP_SMTP_URL, parsed once: every option, every mistake named without the password."""

from __future__ import annotations

import pytest

from drip import errors, mail_url, redact


def smtp(url: str) -> mail_url.SmtpSettings:
    parsed = mail_url.parse(url)
    assert parsed.kind is mail_url.Kind.SMTP and parsed.smtp is not None
    return parsed.smtp


def test_file_and_memory_urls() -> None:
    assert mail_url.parse("file://outbox").folder == "outbox"
    assert mail_url.parse("file:///var/drip/outbox").folder == "/var/drip/outbox"
    assert mail_url.parse("memory://a").name == "a"
    assert mail_url.parse("smtp://u:secret@relay.example").shown == "smtp://u:***@relay.example"


@pytest.mark.parametrize(
    ("url", "port", "security"),
    [
        ("smtp://relay.example", 25, mail_url.Security.NONE),
        ("smtp://relay.example:587", 587, mail_url.Security.STARTTLS),
        ("smtp://relay.example:587?starttls=false", 587, mail_url.Security.NONE),
        ("smtp://relay.example:2525?starttls=true", 2525, mail_url.Security.STARTTLS),
        ("smtps://relay.example", 465, mail_url.Security.TLS),
        ("smtps://relay.example:2465", 2465, mail_url.Security.TLS),
    ],
)
def test_url_security_and_port(url: str, port: int, security: mail_url.Security) -> None:
    settings = smtp(url)
    assert (settings.host, settings.port, settings.security) == ("relay.example", port, security)


def test_url_credentials_are_percent_decoded_and_never_shown() -> None:
    url = "smtp://apikey%40clinic:p%40ss%2Fw0rd@relay.example:587?timeout=12.5&mail_from=b%40x.org"
    settings = smtp(url)
    assert (settings.username, settings.password) == ("apikey@clinic", "p@ss/w0rd")
    assert (settings.timeout, settings.mail_from) == (12.5, "b@x.org")
    assert "p@ss" not in repr(settings) and "p%40ss" not in repr(settings)
    assert redact.url(url) == (
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
        ("ftp://u:secret@relay.example", "has scheme 'ftp'"),
        ("file://", "names no folder"),
    ],
)
def test_bad_urls_name_the_problem_without_the_password(url: str, complaint: str) -> None:
    with pytest.raises(errors.ConfigError) as caught:
        mail_url.parse(url)
    assert complaint in str(caught.value)
    assert "secret" not in str(caught.value)
