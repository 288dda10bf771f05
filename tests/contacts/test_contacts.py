"""One rule for addresses and one for first names, used at the door and again at send time."""

from __future__ import annotations

import pytest

from drip import contacts, errors


@pytest.mark.parametrize(
    ("raw", "tidy"),
    [
        ("  Ana  ", "Ana"),
        ("Ana\r\nBcc: evil@example.com", "Ana Bcc: evil@example.com"),
        ("Ana\u202emalicious", "Ana malicious"),  # a bidi override
        ("Jo\u200bsé", "Jo sé"),  # zero-width space
        ("Ana\u2028Bea", "Ana Bea"),  # a line separator
    ],
)
def test_a_first_name_keeps_what_every_email_would_show(raw: str, tidy: str) -> None:
    assert contacts.first_name(raw) == tidy


@pytest.mark.parametrize(
    "raw", ["".join(map(chr, range(128))), " Ana  Maria ", "Ana\tBea", "Ana\x7fBea", "José"]
)
def test_a_plain_name_is_tidied_as_any_other(raw: str) -> None:
    """ASCII text without a control character skips the look-up of each character's
    category: it is tidied the same."""
    kept = "".join(" " if contacts.is_control(ch) else ch for ch in raw)
    assert contacts.tidy(raw) == " ".join(kept.split())


def test_a_name_too_long_to_show_whole_is_refused_not_cut() -> None:
    assert contacts.first_name("A" * 80) == "A" * 80
    with pytest.raises(errors.InvalidInput, match="81 characters long \\(at most 80\\)"):
        contacts.first_name("A" * 81)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("a..b@example.com", "two periods in a row"),
        (".a@example.com", "cannot start with a period"),
        ("a.@example.com", "period immediately before the @-sign"),
        ("ü@example.com", "Internationalized characters before the @-sign"),
        ("a@x.-", "cannot end with a hyphen"),
        ("a" * 65 + "@example.com", "65 characters long, at most 64"),
        ("a\x00b@example.com", "invalid characters before the @-sign: U+0000"),
        ("a b@example.com", "invalid characters before the @-sign: SPACE"),
        ("a\x7fb@example.com", "invalid characters before the @-sign: U+007F"),
        ("a\x85b@example.com", "Internationalized characters before the @-sign"),
        ("ana@localhost", "It should have a period"),
        ("Ana <ana@example.com>", "display name and angle brackets"),
        ("", "it is empty"),
    ],
)
def test_an_address_no_relay_could_carry_is_refused_at_the_door(raw: str, reason: str) -> None:
    with pytest.raises(contacts.BadAddress, match="is not an email address") as caught:
        contacts.normalise(raw)
    assert reason in caught.value.reason
    assert "use e.g. ana@example.com" in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        (" Ana@Example.com ", "Ana@example.com"),  # the local part as typed, the domain lower
        ("a" * 64 + "@example.com", "a" * 64 + "@example.com"),
        ("ana+tips@example.org", "ana+tips@example.org"),
        ("ana@exämple.com", "ana@xn--exmple-cua.com"),  # an IDN domain in its ASCII form
    ],
)
def test_a_mailable_address_is_kept_in_the_form_it_is_mailed(raw: str, stored: str) -> None:
    assert contacts.normalise(raw) == stored


def test_addresses_compare_without_case() -> None:
    assert contacts.comparable(" Jane.Doe@Example.ORG ") == "jane.doe@example.org"


def test_a_mailbox_gives_its_name_and_its_checked_address() -> None:
    assert contacts.mailbox("Clinic <Tips@Clinic.Example>") == ("Clinic", "Tips@clinic.example")
    assert contacts.mailbox("tips@clinic.example") == ("", "tips@clinic.example")
    with pytest.raises(contacts.BadAddress):
        contacts.mailbox("Clinic <tips@>")
    assert contacts.domain("Clinic <tips@Clinic.Example>") == "clinic.example"
