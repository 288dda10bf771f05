"""Settings, read once from `DRIP_*` environment variables or a TOML config file.

Precedence: environment > config file (`DRIP_CONFIG`, else `./drip.toml` if present) > defaults.
In the file, keys are the variable names without the `DRIP_` prefix, in lower case
(`database_url = "postgresql://drip@db/drip"`). `drip --help` lists every setting.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from drip import errors

_N = TypeVar("_N", int, float)


@dataclass(frozen=True, kw_only=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        name="database_url",
        default="sqlite:///drip.db",
        help="SQLAlchemy URL; postgresql://user@host/db works without naming a driver",
    ),
    Setting(
        name="smtp_url",
        default="file://outbox",
        help="smtp://user:pass@host:port[?starttls=true], smtps://…, or file://DIR",
    ),
    Setting(
        name="secret_key",
        default="",
        help="signs unsubscribe/preference links; unset: kept in ./drip-secret.key",
    ),
    Setting(
        name="base_url",
        default="",
        help="public URL of the web app; unset: clinic.base_url from sequences.yaml",
    ),
    Setting(name="sequences", default="sequences.yaml", help="path of sequences.yaml"),
    Setting(name="templates", default="templates/emails", help="directory of email templates"),
    Setting(name="tick_interval", default="30", help="seconds between dispatch passes (drip run)"),
    Setting(name="send_rate", default="10", help="messages per second, at most, per worker"),
    Setting(name="batch_size", default="100", help="deliveries claimed per batch"),
    Setting(name="lease_seconds", default="300", help="how long a claim holds before rescue"),
    Setting(name="worker_id", default="", help="name of this worker in leases; unset: host:pid"),
    Setting(name="log_format", default="text", help="text or json"),
)


@dataclass(frozen=True, kw_only=True)
class Config:
    database_url: str
    smtp_url: str
    secret_key: str
    base_url: str
    sequences: Path
    templates: Path
    tick_interval: float
    send_rate: float
    batch_size: int
    lease_seconds: int
    worker_id: str
    log_format: str


def load(environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate the settings; raises ConfigError naming the key and the value."""
    env = os.environ if environ is None else environ
    values = {s.name: s.default for s in SETTINGS}
    values.update(_read_file(env))
    for s in SETTINGS:
        key = "DRIP_" + s.name.upper()
        if key in env:
            values[s.name] = env[key]
    return Config(
        database_url=normalise_database_url(values["database_url"]),
        smtp_url=_smtp_url(values["smtp_url"]),
        secret_key=values["secret_key"],
        base_url=values["base_url"].rstrip("/"),
        sequences=Path(values["sequences"]),
        templates=Path(values["templates"]),
        tick_interval=_number("tick_interval", values["tick_interval"], float, minimum=0.1),
        send_rate=_number("send_rate", values["send_rate"], float, minimum=0.01),
        batch_size=_number("batch_size", values["batch_size"], int, minimum=1),
        lease_seconds=_number("lease_seconds", values["lease_seconds"], int, minimum=5),
        worker_id=values["worker_id"] or f"{os.uname().nodename}:{os.getpid()}",
        log_format=_choice("log_format", values["log_format"], ("text", "json")),
    )


def normalise_database_url(url: str) -> str:
    """`postgresql://…` and `postgres://…` → psycopg 3; other URLs pass through."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise errors.ConfigError(
            f"DRIP_DATABASE_URL: {url!r} is not a URL (use e.g. sqlite:///drip.db or "
            "postgresql://user@host/db)"
        )
    try:
        urlsplit(url).port  # noqa: B018 -- reading it raises ValueError if it is not a number
    except ValueError:
        raise errors.ConfigError(
            f"DRIP_DATABASE_URL: {redact_url(url)!r} has a port that is not a number"
        ) from None
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return url


_QUERY_PASSWORD = re.compile(r"(^|&)(password=)[^&]*", re.IGNORECASE)


def redact_url(url: str) -> str:
    """`url` with its password (`user:***@`, `?password=***`) hidden: fit for logs and errors.

    The one redaction helper: database and mailer URLs alike, even ones no library would parse.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    parts = urlsplit("//" + rest)  # by hand, so that an invalid scheme hides nothing
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, host = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}:***@{host}"
    query = _QUERY_PASSWORD.sub(r"\1\2***", parts.query)
    if (netloc, query) == (parts.netloc, parts.query):
        return url
    tail = (f"?{query}" if query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    return f"{scheme}://{netloc}{parts.path}{tail}"


def _read_file(env: Mapping[str, str]) -> dict[str, str]:
    path = Path(env.get("DRIP_CONFIG", "drip.toml"))
    if not path.exists():
        if "DRIP_CONFIG" in env:
            raise errors.ConfigError(f"DRIP_CONFIG: {str(path)!r} does not exist")
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise errors.ConfigError(f"{path}: {exc}") from None
    known = {s.name for s in SETTINGS}
    unknown = sorted(set(data) - known)
    if unknown:
        raise errors.ConfigError(
            f"{path}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})"
        )
    return {key: str(value) for key, value in data.items()}


def _smtp_url(url: str) -> str:
    scheme = urlsplit(url).scheme
    if scheme not in ("smtp", "smtps", "file", "memory"):
        raise errors.ConfigError(
            f"DRIP_SMTP_URL: {redact_url(url)!r} has scheme {scheme!r} "
            "(use smtp://, smtps://, file://DIR or memory://)"
        )
    return url


def _number(name: str, raw: str, kind: type[_N], *, minimum: _N) -> _N:
    try:
        value = kind(raw)
    except ValueError:
        raise errors.ConfigError(f"DRIP_{name.upper()}: {raw!r} is not a number") from None
    if value < minimum:
        raise errors.ConfigError(f"DRIP_{name.upper()}: {raw!r} is below the minimum {minimum}")
    return value


def _choice(name: str, raw: str, choices: tuple[str, ...]) -> str:
    if raw not in choices:
        raise errors.ConfigError(f"DRIP_{name.upper()}: {raw!r} is not one of {', '.join(choices)}")
    return raw
