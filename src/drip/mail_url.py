"""What `DRIP_SMTP_URL` says, parsed once (by `drip.config`) into a frozen value.

    smtp://[user:pass@]host[:port][?starttls=true&timeout=30&mail_from=…&verify=false]
    smtps://[user:pass@]host[:port]
    file://outbox (relative) · file:///var/drip/outbox (absolute)
    memory:// (a new one) · memory://NAME (one per NAME in the process)

- `smtp://` is plain SMTP (port 25 by default); STARTTLS with `?starttls=true`, or by default
  on port 587 (turn it off with `?starttls=false`, e.g. for a local relay on 587);
- `smtps://` is TLS from the first byte (port 465 by default);
- `user:pass@` logs in with AUTH; percent-encode special characters (`p%40ss` for `p@ss`);
- `?timeout=SECONDS` (default 30), `?mail_from=ADDRESS` the envelope sender (bounce address)
  instead of the From header's address, `?verify=false` to accept any TLS certificate (only
  for a relay you control).

`drip.mailer.from_settings` turns the value into a mailer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from drip import errors, redact

if TYPE_CHECKING:
    import ssl  # imported where a context is made: `drip --help` need not load OpenSSL

_OPTIONS = ("starttls", "timeout", "mail_from", "verify")
_YES, _NO = ("true", "yes", "1", "on"), ("false", "no", "0", "off")
_SCHEMES = "use smtp://host:port, smtps://host, file://DIR or memory://"


class Kind(StrEnum):
    SMTP = "smtp"  # smtp:// and smtps://
    FILE = "file"  # one .eml file per message, in a folder
    MEMORY = "memory"  # kept in the process: tests and the demo


class Security(StrEnum):
    NONE = "none"  # plain SMTP: only for a relay on the same host or private network
    STARTTLS = "starttls"  # plain connection upgraded with STARTTLS before anything else
    TLS = "tls"  # implicit TLS (smtps)


@dataclass(frozen=True, kw_only=True)
class SmtpSettings:
    host: str
    port: int
    security: Security = Security.NONE
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    mail_from: str | None = None
    verify: bool = True

    @property
    def where(self) -> str:
        """`host:port`, for messages and logs (never the credentials)."""
        return f"{self.host}:{self.port}"

    def ssl_context(self) -> ssl.SSLContext:
        """The TLS context for STARTTLS and smtps: system trust store unless verify is off."""
        import ssl

        context = ssl.create_default_context()
        if not self.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context


@dataclass(frozen=True, kw_only=True)
class MailUrl:
    """A parsed mailer URL: `smtp` for SMTP, `folder` for file://, `name` for memory://."""

    kind: Kind
    shown: str  # the URL with its password hidden: what logs and messages may print
    smtp: SmtpSettings | None = None
    folder: str = ""
    name: str = ""


def parse(url: str) -> MailUrl:
    """The mailer `url` names; errors.ConfigError (naming DRIP_SMTP_URL) when it names none."""
    parts = urlsplit(url)
    shown = redact.url(url)
    if parts.scheme in ("smtp", "smtps"):
        return MailUrl(kind=Kind.SMTP, shown=shown, smtp=_smtp(url))
    if parts.scheme == "file":
        folder = unquote(parts.netloc + parts.path)
        if not folder:
            raise errors.ConfigError(f"DRIP_SMTP_URL: {url!r} names no folder; write file://outbox")
        return MailUrl(kind=Kind.FILE, shown=shown, folder=folder)
    if parts.scheme == "memory":
        return MailUrl(kind=Kind.MEMORY, shown=shown, name=parts.netloc + parts.path)
    raise errors.ConfigError(f"DRIP_SMTP_URL: {shown!r} has scheme {parts.scheme!r} ({_SCHEMES})")


def _smtp(url: str) -> SmtpSettings:
    parts = urlsplit(url)
    shown = redact.url(url)
    if not parts.hostname:
        raise errors.ConfigError(
            f"DRIP_SMTP_URL: {shown} names no host; write smtp://host:port or smtps://host:port"
        )
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise errors.ConfigError(
            f"DRIP_SMTP_URL: {shown} has an invalid port; use a number"
        ) from None
    query = _query(parts.query, shown)
    return SmtpSettings(
        host=parts.hostname,
        port=port,
        security=_security(parts.scheme, port, query.get("starttls"), shown),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        timeout=_timeout(query.get("timeout", "30"), shown),
        mail_from=query.get("mail_from") or None,
        verify=_flag(query.get("verify", "true"), "verify", shown),
    )


def _query(query: str, shown: str) -> dict[str, str]:
    values = {key: items[-1] for key, items in parse_qs(query, keep_blank_values=True).items()}
    unknown = sorted(set(values) - set(_OPTIONS))
    if unknown:
        raise errors.ConfigError(
            f"DRIP_SMTP_URL: {shown}: unknown option {unknown[0]!r} (known: {', '.join(_OPTIONS)})"
        )
    return values


def _security(scheme: str, port: int, starttls: str | None, shown: str) -> Security:
    if scheme == "smtps":
        if starttls is not None and _flag(starttls, "starttls", shown):
            raise errors.ConfigError(
                f"DRIP_SMTP_URL: {shown}: smtps:// is TLS already; drop ?starttls=true"
            )
        return Security.TLS
    wanted = port == 587 if starttls is None else _flag(starttls, "starttls", shown)
    return Security.STARTTLS if wanted else Security.NONE


def _flag(value: str, name: str, shown: str) -> bool:
    if value.lower() in _YES:
        return True
    if value.lower() in _NO:
        return False
    raise errors.ConfigError(f"DRIP_SMTP_URL: {shown}: ?{name}={value!r} must be true or false")


def _timeout(value: str, shown: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise errors.ConfigError(
            f"DRIP_SMTP_URL: {shown}: ?timeout={value!r} must be a number of seconds > 0"
        )
    return seconds
