from __future__ import annotations

import pytest
from generate_seed import seed_article

from drip import content


@pytest.fixture
def seed() -> content.Article:
    """The seed article's tree, built by hand (see generate_seed.py)."""
    return seed_article()
