"""`drip --help` stays fast: the CLI imports no heavy library until a command needs it.

(The time itself is measured in benchmarks/, group 0, never asserted here.)"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "jinja2", "mjml", "ruamel", "bs4", "markdown_it", "apscheduler", "ssl")


def test_the_cli_and_its_help_import_no_heavy_library() -> None:
    probe = (
        "import sys; from drip.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
