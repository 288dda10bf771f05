"""SpamAssassin tests run Debian's spamassassin; skip visibly without it, unless required.

Set DRIP_REQUIRE_SPAMASSASSIN=1 (CI does) to turn a missing spamassassin into a failure.
"""

from __future__ import annotations

import os
import shutil

import pytest


@pytest.fixture(scope="session")
def spamassassin() -> str:
    """The spamassassin command, or a skip/failure saying it is missing."""
    found = shutil.which("spamassassin")
    if found is None:
        reason = "spamassassin is not installed (apt-get install spamassassin)"
        if os.environ.get("DRIP_REQUIRE_SPAMASSASSIN") == "1":
            pytest.fail(f"DRIP_REQUIRE_SPAMASSASSIN=1 but {reason}")
        pytest.skip(reason)
    return found
