"""docs/architecture.md stays true: every `drip.…` name it gives is a real module or attribute."""

from __future__ import annotations

import importlib
import re

import pytest
from docs_text import REPO

ARCHITECTURE = REPO / "docs" / "architecture.md"
_NAME = re.compile(r"`(drip(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`")


def names() -> list[str]:
    return sorted(set(_NAME.findall(ARCHITECTURE.read_text(encoding="utf-8"))))


def resolve(dotted: str) -> object:
    """The module, or the attribute of the longest importable module prefix, `dotted` names."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ModuleNotFoundError(dotted)


def test_the_page_names_modules() -> None:
    assert len(names()) > 30


@pytest.mark.parametrize("dotted", names())
def test_every_name_in_the_architecture_page_exists(dotted: str) -> None:
    try:
        resolve(dotted)
    except (ModuleNotFoundError, AttributeError) as exc:
        pytest.fail(f"docs/architecture.md names `{dotted}`, which does not exist ({exc})")
