"""The benchmarks are scripts run from bench/ that import their neighbour ``benchdb``; their tests
import them the same way."""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
