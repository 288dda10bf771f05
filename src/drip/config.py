"""Settings, read once from `DRIP_*` environment variables or a TOML config file.

Precedence: environment > config file (`DRIP_CONFIG`, else `./drip.toml` if present) > defaults.
In the file, keys are the variable names without the `DRIP_` prefix, in lower case
(`database_url = "postgresql://drip@db/drip"`). `drip --help` lists every setting.

Each setting is declared once, as a field of `Config` (its default, help and parser in the
field's metadata); `SETTINGS` is read off those fields. Every value is parsed and checked here,
at start-up: an error names the variable and the value, and says what to write instead.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from drip import durations, errors, mail_url, redact

MIN_SECRET = 32  # characters: `drip secret new` makes 43
DEFAULT_CONSENT = (
    "Yes, please email me tips about {topic} from {clinic}. I can unsubscribe at any time."
)
SECRET_ADVICE = (
    "make one with `drip secret new > /etc/drip/secret.key` and set DRIP_SECRET_KEY_FILE to "
    "that file (or DRIP_SECRET_KEY to its contents)"
)


@dataclass(frozen=True, kw_only=True)
class Setting:
    name: str
    default: str
    help: str

    @property
    def variable(self) -> str:
        return "DRIP_" + self.name.upper()


def _meta(default: str, help: str, parse: Callable[[str, str], Any]) -> dict[str, Any]:
    """A setting's declaration, kept in its Config field: the raw default, help, parser."""
    return {"default": default, "help": help, "parse": parse}


def _text(_name: str, raw: str) -> str:
    return raw


def _number(kind: type[int] | type[float], minimum: float) -> Callable[[str, str], Any]:
    def parse(name: str, raw: str) -> Any:
        try:
            value = kind(raw)
        except ValueError:
            raise errors.ConfigError(f"DRIP_{name.upper()}: {raw!r} is not a number") from None
        if value < minimum:
            raise errors.ConfigError(
                f"DRIP_{name.upper()}: {raw!r} is below the minimum {kind(minimum)}"
            )
        return value

    return parse


def _duration(name: str, raw: str) -> timedelta:
    try:
        return durations.parse_duration(raw)
    except ValueError as exc:
        raise errors.ConfigError(f"DRIP_{name.upper()}: {exc}") from None


def _choice(*choices: str) -> Callable[[str, str], str]:
    def parse(name: str, raw: str) -> str:
        if raw not in choices:
            raise errors.ConfigError(
                f"DRIP_{name.upper()}: {raw!r} is not one of {', '.join(choices)}"
            )
        return raw

    return parse


def _switch(name: str, raw: str) -> bool:
    if raw not in ("on", "off"):
        raise errors.ConfigError(f"DRIP_{name.upper()}: {raw!r} is not one of on, off")
    return raw == "on"


def _path(_name: str, raw: str) -> Path:
    return Path(raw)


def _optional_path(_name: str, raw: str) -> Path | None:
    return Path(raw) if raw else None


def _keys(_name: str, raw: str) -> tuple[str, ...]:
    return tuple(key.strip() for key in raw.split(",") if key.strip())


def _origins(name: str, raw: str) -> tuple[str, ...]:
    found = []
    for origin in (o.strip().rstrip("/") for o in raw.split(",") if o.strip()):
        parts = urlsplit(origin)
        if parts.scheme not in ("https", "http") or not parts.netloc or parts.path:
            raise errors.ConfigError(
                f"DRIP_{name.upper()}: {origin!r} is not an origin; write scheme and host only, "
                "e.g. https://www.clinic.example"
            )
        found.append(origin)
    return tuple(found)


_DNS_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")


def _dns_name(name: str, raw: str) -> str:
    """A DKIM selector or signing domain: dot-separated DNS labels, kept in lower case."""
    value = raw.strip().rstrip(".").lower()
    if value and not all(_DNS_LABEL.fullmatch(label) for label in value.split(".")):
        raise errors.ConfigError(
            f"DRIP_{name.upper()}: {raw!r} is not a DNS name (letters, digits and hyphens, "
            "dot-separated), e.g. DRIP_DKIM_SELECTOR=drip2026, DRIP_DKIM_DOMAIN=clinic.example"
        )
    return value


@dataclass(frozen=True, kw_only=True)
class PemFile:
    """A private key file, read at start-up: its path (for messages) and its PEM text."""

    path: Path
    pem: bytes = field(repr=False)


def _pem_file(name: str, raw: str) -> PemFile | None:
    if not raw:
        return None
    variable, path = f"DRIP_{name.upper()}", Path(raw)
    try:
        data = path.read_bytes().replace(b"\r\n", b"\n")
    except OSError as exc:
        raise errors.ConfigError(
            f"{variable}: cannot read {raw!r} ({exc.strerror or exc}): give the path of the "
            "PEM private key, readable by the user drip runs as (and only by it: chmod 600)"
        ) from None
    if b"ENCRYPTED" in data:
        raise errors.ConfigError(
            f"{variable}: {raw!r} is encrypted with a passphrase; drip needs it unencrypted "
            "(keep the file readable only by drip): openssl pkey -in KEY -out UNENCRYPTED"
        )
    if not re.search(rb"-----BEGIN (RSA )?PRIVATE KEY-----", data):
        raise errors.ConfigError(
            f"{variable}: {raw!r} holds no PEM private key (-----BEGIN PRIVATE KEY-----); make "
            "one with: openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out FILE"
        )
    return PemFile(path=path, pem=data)


@dataclass(frozen=True, kw_only=True)
class Dkim:
    """DKIM signing as configured: `selector` and `domain` name the public key's DNS record."""

    selector: str
    domain: str
    key: PemFile

    @property
    def record(self) -> str:
        """Where receivers look the public key up: `<selector>._domainkey.<domain>`."""
        return f"{self.selector}._domainkey.{self.domain}"


def _mail_url(_name: str, raw: str) -> mail_url.MailUrl:
    return mail_url.parse(raw)


def _database_url(_name: str, raw: str) -> str:
    return normalise_database_url(raw)


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
            f"DRIP_DATABASE_URL: {redact.url(url)!r} has a port that is not a number"
        ) from None
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg://{rest}"
    return url


@dataclass(frozen=True, kw_only=True)
class Config:
    database_url: str = field(
        metadata=_meta(
            "sqlite:///drip.db",
            "SQLAlchemy URL; postgresql://user@host/db works without naming a driver",
            _database_url,
        )
    )
    smtp_url: mail_url.MailUrl = field(
        metadata=_meta(
            "file://outbox",
            "smtp://user:pass@host:port[?starttls=true], smtps://…, or file://DIR",
            _mail_url,
        )
    )
    secret_key: str = field(
        repr=False,
        metadata=_meta(
            "", "signs the links in emails (32+ characters); or use DRIP_SECRET_KEY_FILE", _text
        ),
    )
    secret_key_file: Path | None = field(
        metadata=_meta("", "a file holding the secret key (first line)", _optional_path)
    )
    suppression_key: str = field(
        repr=False,
        metadata=_meta(
            "",
            "keys the hashes of suppressed addresses (32+ characters); never change it",
            _text,
        ),
    )
    suppression_key_file: Path | None = field(
        metadata=_meta("", "a file holding the suppression key (first line)", _optional_path)
    )
    old_secret_keys: tuple[str, ...] = field(
        repr=False,
        metadata=_meta(
            "", "earlier keys, comma-separated: their links still work (key rotation)", _keys
        ),
    )
    base_url: str = field(
        metadata=_meta(
            "", "public URL of the web app; unset: clinic.base_url from sequences.yaml", _text
        )
    )
    sequences: Path = field(metadata=_meta("sequences.yaml", "path of sequences.yaml", _path))
    templates: Path = field(
        metadata=_meta("templates/emails", "directory of email templates", _path)
    )
    samples: Path = field(
        metadata=_meta(
            "samples.yaml",
            "the sample patients of drip preview, simulate and send-test",
            _path,
        )
    )
    tracking: bool = field(
        metadata=_meta(
            "off",
            "on: count opens and clicks; off by default, as an open tells that a patient read "
            "about their condition",
            _switch,
        )
    )
    tick_interval: float = field(
        metadata=_meta("30", "seconds between dispatch passes (drip run)", _number(float, 0.1))
    )
    send_rate: float = field(
        metadata=_meta(
            "10",
            "messages per second, at most, all workers together (counted in the database)",
            _number(float, 0.01),
        )
    )
    send_rate_hour: int = field(
        metadata=_meta(
            "0",
            "messages per hour, at most, all workers together; 0: no hourly limit",
            _number(int, 0),
        )
    )
    batch_size: int = field(metadata=_meta("100", "deliveries claimed per batch", _number(int, 1)))
    stale_after: timedelta = field(
        metadata=_meta(
            "1d",
            "a step found later than this past its time is moved into the patient's next send "
            "window, spread across it, not sent at once (after an outage); 0: never",
            _duration,
        )
    )
    lease_seconds: int = field(
        metadata=_meta("300", "how long a claim holds before rescue", _number(int, 5))
    )
    worker_id: str = field(
        metadata=_meta("", "name of this worker in leases; unset: host:pid", _text)
    )
    log_format: str = field(metadata=_meta("text", "text or json", _choice("text", "json")))
    consent_text: str = field(
        metadata=_meta(
            DEFAULT_CONSENT,
            "the sign-up form's consent wording ({clinic}, {topic} filled in); recorded as shown",
            _text,
        )
    )
    consent_version: str = field(
        metadata=_meta("1", "the version of the form and its wording, recorded with consent", _text)
    )
    confirm_link_days: int = field(
        metadata=_meta(
            "7", "days an opt-in link works; then the page offers a new one", _number(int, 1)
        )
    )
    allowed_origins: tuple[str, ...] = field(
        metadata=_meta(
            "",
            "sites that may post the sign-up form from their own pages, e.g. https://clinic.example",
            _origins,
        )
    )
    web_templates: Path = field(
        metadata=_meta("templates/web", "directory of the web app's page templates", _path)
    )
    forwarded_allow_ips: str = field(
        metadata=_meta(
            "127.0.0.1",
            "reverse proxies whose X-Forwarded-For is believed (drip serve), comma-separated",
            _text,
        )
    )
    dkim_selector: str = field(
        metadata=_meta(
            "",
            "DKIM selector: the public key is published at <selector>._domainkey.<domain>",
            _dns_name,
        )
    )
    dkim_domain: str = field(
        metadata=_meta(
            "", "DKIM signing domain (d=): the From address's domain, for DMARC", _dns_name
        )
    )
    dkim_private_key_file: PemFile | None = field(
        metadata=_meta(
            "", "DKIM private key (PEM, RSA); with selector and domain set, drip signs", _pem_file
        )
    )

    def signing_keys(self) -> tuple[str, ...]:
        """The secret keys, the current one first: what mints and reads the links in emails.

        ConfigError when none is configured: a key made up on the spot would break every link
        already sent, unsubscribe links included."""
        if not self.secret_key:
            raise errors.ConfigError(f"no secret key is configured: {SECRET_ADVICE}")
        return (self.secret_key, *self.old_secret_keys)

    @property
    def dkim(self) -> Dkim | None:
        """How outgoing mail is signed, or None: DKIM is off (all three settings unset)."""
        if self.dkim_private_key_file is None:
            return None
        return Dkim(
            selector=self.dkim_selector, domain=self.dkim_domain, key=self.dkim_private_key_file
        )


SETTINGS: tuple[Setting, ...] = tuple(
    Setting(name=f.name, default=f.metadata["default"], help=f.metadata["help"])
    for f in dataclasses.fields(Config)
)


def load(environ: Mapping[str, str] | None = None) -> Config:
    """Read and validate the settings; raises ConfigError naming the key and the value."""
    env = os.environ if environ is None else environ
    raw = {s.name: s.default for s in SETTINGS}
    raw.update(_read_file(env))
    raw.update({s.name: _utf8(s.variable, env[s.variable]) for s in SETTINGS if s.variable in env})
    values = {f.name: f.metadata["parse"](f.name, raw[f.name]) for f in dataclasses.fields(Config)}
    values["base_url"] = values["base_url"].rstrip("/")
    values["worker_id"] = values["worker_id"] or f"{os.uname().nodename}:{os.getpid()}"
    values["secret_key"] = _key_from("SECRET_KEY", values["secret_key"], values["secret_key_file"])
    values["suppression_key"] = _key_from(
        "SUPPRESSION_KEY", values["suppression_key"], values["suppression_key_file"]
    )
    _all_or_none(values, ("dkim_selector", "dkim_domain", "dkim_private_key_file"))
    for key in (values["secret_key"], values["suppression_key"], *values["old_secret_keys"]):
        _long_enough(key)
    _lease_outlasts_a_send(values["lease_seconds"], values["smtp_url"])
    return Config(**values)


SENDS_PER_LEASE = 4  # a lease must outlast this many SMTP timeouts


def _lease_outlasts_a_send(lease_seconds: int, smtp: mail_url.MailUrl) -> None:
    """One send can take up to three SMTP timeouts (connect, envelope, data); a batch stops
    starting sends at half its lease. A lease shorter than that lets a slow send be rescued
    and sent again by another worker while the first is still at it."""
    if smtp.smtp is None:
        return
    needed = int(SENDS_PER_LEASE * smtp.smtp.timeout)
    if lease_seconds < needed:
        raise errors.ConfigError(
            f"DRIP_LEASE_SECONDS: {lease_seconds} is too short for an SMTP timeout of "
            f"{smtp.smtp.timeout:g} s (DRIP_SMTP_URL ?timeout=): a slow send could outlive its "
            f"lease and be sent twice; set DRIP_LEASE_SECONDS to at least {needed}, or lower "
            "the timeout"
        )


def _key_from(name: str, key: str, path: Path | None) -> str:
    """DRIP_<name>, or the first line of DRIP_<name>_FILE; never both."""
    if path is None:
        return key.strip()
    if key:
        raise errors.ConfigError(f"DRIP_{name} and DRIP_{name}_FILE are both set: keep only one")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise errors.ConfigError(
            f"DRIP_{name}_FILE: cannot read {str(path)!r} ({reason}); {SECRET_ADVICE}"
        ) from None
    return lines[0].strip() if lines else ""


def _long_enough(key: str) -> None:
    if key and len(key) < MIN_SECRET:
        raise errors.ConfigError(
            f"a secret key is {len(key)} characters long; use at least {MIN_SECRET} "
            f"(a short key can be guessed): {SECRET_ADVICE}"
        )


def _utf8(variable: str, value: str) -> str:
    """`value` itself, unless it holds bytes that are not UTF-8 (kept by Python as lone
    surrogates, which no database, link or email can carry)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        shown = repr(value.encode("utf-8", "surrogateescape"))[2:-1]
        raise errors.ConfigError(f"{variable}: '{shown}' is not UTF-8 text") from None
    return value


def _all_or_none(values: Mapping[str, Any], names: tuple[str, ...]) -> None:
    """Settings that only work together (DKIM's three): ConfigError when some are missing."""
    missing = [f"DRIP_{n.upper()}" for n in names if not values[n]]
    if missing and len(missing) < len(names):
        every = ", ".join(f"DRIP_{n.upper()}" for n in names)
        raise errors.ConfigError(
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set, but the "
            f"others are: set all of {every} (or none, to send unsigned)"
        )


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
