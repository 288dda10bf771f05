"""DKIM's settings: off unless all three are set; a key that cannot sign is refused at start-up,
with a message naming the setting, the file and the fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import dkim_keys
from drip import config, errors, mail_url, mailer

DOMAIN = "clinic.example"


def settings(key: Path | str | None, **extra: str) -> dict[str, str]:
    env = {"DRIP_DKIM_SELECTOR": "drip2026", "DRIP_DKIM_DOMAIN": DOMAIN, **extra}
    if key is not None:
        env["DRIP_DKIM_PRIVATE_KEY_FILE"] = str(key)
    return env


def test_dkim_is_off_by_default() -> None:
    assert config.load({}).dkim is None


def test_the_three_settings_make_the_signing_settings(tmp_path: Path) -> None:
    pair = dkim_keys.rsa_pair()
    key = pair.write(tmp_path)
    cfg = config.load(settings(key, DRIP_DKIM_DOMAIN="Clinic.Example.", DRIP_DKIM_SELECTOR="S1"))
    assert cfg.dkim is not None
    assert (cfg.dkim.selector, cfg.dkim.domain) == ("s1", DOMAIN)
    assert cfg.dkim.record == "s1._domainkey.clinic.example"
    assert cfg.dkim.key.path == key and cfg.dkim.key.pem == pair.pem
    assert b"PRIVATE" not in repr(cfg).encode(), "the key must not show in a repr"


def test_a_key_file_with_windows_line_ends_signs(tmp_path: Path) -> None:
    key = tmp_path / "dkim.pem"
    key.write_bytes(dkim_keys.rsa_pair().pem.replace(b"\n", b"\r\n"))
    cfg = config.load(settings(key))
    assert cfg.dkim is not None
    mailer.from_settings(mail_url.parse("memory://"), dkim=cfg.dkim)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"DRIP_DKIM_SELECTOR": "drip2026"},
            "DRIP_DKIM_DOMAIN and DRIP_DKIM_PRIVATE_KEY_FILE are not set, but the others are: "
            "set all of DRIP_DKIM_SELECTOR, DRIP_DKIM_DOMAIN, DRIP_DKIM_PRIVATE_KEY_FILE",
        ),
        (
            {"DRIP_DKIM_SELECTOR": "drip2026", "DRIP_DKIM_PRIVATE_KEY_FILE": "KEY"},
            "DRIP_DKIM_DOMAIN is not set, but the others are",
        ),
        (
            {"DRIP_DKIM_DOMAIN": DOMAIN, "DRIP_DKIM_PRIVATE_KEY_FILE": "KEY"},
            "DRIP_DKIM_SELECTOR is not set",
        ),
        (
            {"DRIP_DKIM_DOMAIN": "clinic..example"},
            "DRIP_DKIM_DOMAIN: 'clinic..example' is not a DNS name",
        ),
        (
            {"DRIP_DKIM_SELECTOR": "drip 2026"},
            "DRIP_DKIM_SELECTOR: 'drip 2026' is not a DNS name",
        ),
        (
            {"DRIP_DKIM_PRIVATE_KEY_FILE": "missing.pem"},
            "DRIP_DKIM_PRIVATE_KEY_FILE: cannot read 'missing.pem' (No such file or directory)",
        ),
    ],
)
def test_a_bad_combination_or_value_says_what_to_do(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    if env.get("DRIP_DKIM_PRIVATE_KEY_FILE") == "KEY":
        env["DRIP_DKIM_PRIVATE_KEY_FILE"] = str(dkim_keys.rsa_pair().write(tmp_path))
    with pytest.raises(errors.ConfigError, match=re.escape(expected)):
        config.load(env)


def test_an_unreadable_key_file_is_refused_at_start_up(tmp_path: Path) -> None:
    folder = tmp_path / "dkim.pem"
    folder.mkdir()  # a path that cannot be read as a file, whoever runs the tests (even root)
    with pytest.raises(errors.ConfigError, match=r"cannot read .*dkim\.pem.*chmod 600"):
        config.load(settings(folder))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"not a key\n", "holds no PEM private key (-----BEGIN PRIVATE KEY-----); make one with"),
        (
            b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n",
            "is encrypted with a passphrase; drip needs it unencrypted",
        ),
    ],
)
def test_a_file_that_is_no_usable_pem_key_is_refused(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    (tmp_path / "dkim.pem").write_bytes(content)
    with pytest.raises(errors.ConfigError, match=re.escape(expected)):
        config.load(settings(tmp_path / "dkim.pem"))


@pytest.mark.parametrize(
    ("pem", "expected"),
    [
        (dkim_keys.ec_pem, "is not an RSA private key drip can sign with"),
        (
            lambda: dkim_keys.short_rsa_pair(512).pem,
            "-bit key; receivers ignore signatures by keys under 1024",
        ),
        (
            lambda: b"-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
            "is not an RSA private key drip can sign with",
        ),
    ],
    ids=["elliptic curve", "too short", "damaged"],
)
def test_a_key_that_cannot_sign_is_refused_when_the_mailer_is_built(
    tmp_path: Path, pem: object, expected: str
) -> None:
    assert callable(pem)
    (tmp_path / "dkim.pem").write_bytes(pem())
    cfg = config.load(settings(tmp_path / "dkim.pem"))
    with pytest.raises(errors.ConfigError, match=re.escape(expected)) as raised:
        mailer.from_settings(mail_url.parse("memory://"), dkim=cfg.dkim)
    assert "DRIP_DKIM_PRIVATE_KEY_FILE" in str(raised.value)
    assert "\n" not in str(raised.value)
