"""Fixtures for rendering tests: the seed article, a plan, a renderer on the real templates."""

from __future__ import annotations

import pytest
import rendering_seed as seed

from drip import content, rendering, sequences


@pytest.fixture(scope="session")
def article() -> content.Article:
    return seed.seed_article()


@pytest.fixture(scope="session")
def plan() -> sequences.Plan:
    return seed.seed_plan()


@pytest.fixture
def renderer(plan: sequences.Plan, article: content.Article) -> rendering.Renderer:
    return rendering.Renderer(plan=plan, article=article, templates=seed.TEMPLATES)
