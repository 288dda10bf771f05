"""docs/architecture.md stays true: every `drip.…` name it gives is a real module or attribute."""

from __future__ import annotations

import pytest
from docs_text import DRIP_NAME, REPO, resolve_name

ARCHITECTURE = REPO / "docs" / "architecture.md"


def names() -> list[str]:
    return sorted(set(DRIP_NAME.findall(ARCHITECTURE.read_text(encoding="utf-8"))))


def test_the_page_names_modules() -> None:
    assert len(names()) > 30


@pytest.mark.parametrize("dotted", names())
def test_every_name_in_the_architecture_page_exists(dotted: str) -> None:
    try:
        resolve_name(dotted)
    except (ModuleNotFoundError, AttributeError) as exc:
        pytest.fail(f"docs/architecture.md names `{dotted}`, which does not exist ({exc})")
