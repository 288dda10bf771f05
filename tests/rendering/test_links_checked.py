"""The links compose fills in are checked as before: its shortcut for a plain link (http(s),
an ASCII host, printable ASCII after it) accepts only what the full check accepts, and the
full check still refuses the rest with the same errors."""

from __future__ import annotations

import importlib
import re
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drip import errors
from drip.rendering import headers

compose = importlib.import_module("drip.rendering.compose")  # the module, not its function
URL = st.builds(
    "".join,
    st.lists(
        st.one_of(
            st.sampled_from(["https://", "http://", "HTTPS://", "ftp://", "https:", "//", "/u/"]),
            st.sampled_from(list("az09.-_:@[]/?#%~ \t\r\n\x00\x85\u2028é")),
            st.text(max_size=8),
        ),
        max_size=8,
    ),
)


def accepted(url: str) -> bool:
    """The full check (what compose did for every link before its shortcut)."""
    try:
        headers.checked("link", url)
        parts = urlsplit(url)
    except (errors.InvalidInput, errors.HeaderInjectionError, ValueError):
        return False
    return parts.scheme in {"https", "http"} and bool(parts.netloc) and not re.search(r"\s", url)


@given(url=URL)
def test_the_shortcut_accepts_only_what_the_full_check_accepts(url: str) -> None:
    try:
        assert compose._url("link", url) == url
    except (errors.InvalidInput, errors.HeaderInjectionError, ValueError):
        assert not accepted(url)
    else:
        assert accepted(url)


@pytest.mark.parametrize(
    "url", ["https://tips.example/u/IjVm.aaQ.PTU-8_1", "http://[::1]/u/x", "HTTPS://tips.example/"]
)
def test_links_taken_by_the_shortcut_or_the_full_check_are_kept(url: str) -> None:
    assert compose._url("link", url) == url


@pytest.mark.parametrize(
    "url", ["https:///u/x", "ftp://tips.example/u/x", "https://tips.example/u x"]
)
def test_other_links_are_refused(url: str) -> None:
    with pytest.raises(errors.InvalidInput, match="must be an absolute https:// URL"):
        compose._url("link", url)
