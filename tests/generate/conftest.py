from __future__ import annotations

import pytest

from drip import content
from seed_data import seed_article


@pytest.fixture
def seed() -> content.Article:
    """The seed article's tree, built by hand (see generate_seed.py)."""
    return seed_article()
