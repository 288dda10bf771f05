"""Who an email goes to, checked by one rule each: addresses and first names.

Addresses are checked once, at the door (sign-up, import, staff commands, the clinic's own
`from:`), with the `email-validator` package and two rules of drip's own on top:

- the address must be mailable through any relay: ASCII only (an internationalised domain is
  kept in its `xn--` form; a non-ASCII local part needs SMTPUTF8, which many relays lack);
- the local part is at most 64 octets (RFC 5321 4.5.3.1.1), which email-validator lets pass.

The domain is lower-cased, the local part kept as typed. Comparisons (uniqueness, look-ups,
suppression hashes) use `comparable`, which lower-cases the whole address: every mailbox
provider in practice treats local parts case-insensitively.

A first name is tidied (control and format characters become spaces, runs of spaces one) and
refused when longer than MAX_NAME, at sign-up and again, with the same rule, at send time.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from email.utils import parseaddr

import email_validator

from drip import errors

MAX_LOCAL_PART = 64  # octets, RFC 5321
MAX_NAME = 80  # characters of a first name, as stored and as shown
# A local part so plain that email-validator accepts it whatever the domain, and keeps it as
# typed: letters, digits, `.`, `_`, `+`, `-`, no dot first, last or doubled.
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*")
_PLAIN_MAX = 200  # well under the 254 octets email-validator allows in all


class BadAddress(errors.InvalidInput):
    """That is not an email address."""

    def __init__(self, text: str, reason: str) -> None:
        super().__init__(f"{text!r} is not an email address: {reason} (use e.g. ana@example.com)")
        self.text = text
        self.reason = reason  # what is wrong, without the example


def normalise(raw: str) -> str:
    """The address in the form drip stores and mails, or BadAddress saying what is wrong."""
    text = raw.strip()
    if not text:
        raise BadAddress(text, "it is empty")
    local, at, domain = text.rpartition("@")
    plain = at and len(text) <= _PLAIN_MAX and len(local) <= MAX_LOCAL_PART
    if plain and _PLAIN_LOCAL.fullmatch(local) and (checked_domain := _domain(domain)):
        return f"{local}@{checked_domain}"
    try:
        checked = email_validator.validate_email(
            text, check_deliverability=False, allow_smtputf8=False
        )
    except email_validator.EmailNotValidError as exc:
        raise BadAddress(text, str(exc).rstrip(".")) from None
    address: str = checked.ascii_email or checked.normalized
    local = address.rpartition("@")[0]
    if len(local) > MAX_LOCAL_PART:
        raise BadAddress(
            text,
            f"the part before the @ is {len(local)} characters long, at most "
            f"{MAX_LOCAL_PART} are allowed",
        )
    return address


@functools.lru_cache(maxsize=4096)
def _domain(domain: str) -> str | None:
    """The domain as `normalise` returns it, or None when email-validator refuses it (the
    whole address is then checked again, for its message). Checking a domain is most of
    email-validator's time, and an import's addresses share a few hundred domains."""
    try:
        checked = email_validator.validate_email(
            f"a@{domain}", check_deliverability=False, allow_smtputf8=False
        )
    except email_validator.EmailNotValidError:
        return None
    address: str = checked.ascii_email or checked.normalized
    return address.rpartition("@")[2]


def comparable(address: str) -> str:
    """The form used for uniqueness, look-ups and suppression hashes: stripped, lower-cased.

    It does not validate (`normalise` does, at the door): an address stored long ago must
    still be found, hashed and suppressed."""
    return address.strip().lower()


def mailbox(text: str) -> tuple[str, str]:
    """(display name, address) of `tips@clinic.example` or `Clinic Name <tips@clinic.example>`;
    the address checked by `normalise`."""
    name, address = parseaddr(text.strip())
    if not address:
        raise BadAddress(text, "no address found in it")
    return name, normalise(address)


def domain(address: str) -> str:
    """The domain of an address or mailbox (`Clinic <tips@clinic.example>` → `clinic.example`)."""
    return parseaddr(address)[1].rpartition("@")[2].lower()


def tidy(text: str) -> str:
    """Control and format characters (line breaks, bidi overrides, zero-width) become spaces,
    and runs of whitespace one space."""
    if text.isascii() and text.isprintable():  # no control character: most names, at once
        return " ".join(text.split())
    kept = "".join(" " if is_control(ch) else ch for ch in text)
    return " ".join(kept.split())


def first_name(raw: str) -> str:
    """A first name as stored and shown: tidied; InvalidInput when longer than MAX_NAME."""
    name = tidy(raw)
    if len(name) > MAX_NAME:
        raise errors.InvalidInput(f"the name is {len(name)} characters long (at most {MAX_NAME})")
    return name


def is_control(ch: str) -> bool:
    """Cc: C0/C1 controls incl. CR, LF, TAB; Cf: bidi overrides, zero-width; Zl/Zp: U+2028/9."""
    return unicodedata.category(ch) in {"Cc", "Cf", "Zl", "Zp"}
