"""`python -m benchmarks`: the side-by-side run of issue 9 (benchmarks/wire_suite.py).

The benchmark modules import each other by their bare names, as `python benchmarks/run.py`
has them (its folder on sys.path); `python -m benchmarks` puts the folder there too.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import wire_suite

sys.exit(wire_suite.main())
