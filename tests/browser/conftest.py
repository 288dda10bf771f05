"""Browser tests drive the system Chromium (tests/browsers.py, the session's `browser` fixture
in tests/conftest.py); they skip visibly without it, unless DRIP_REQUIRE_BROWSER=1 (CI)."""
