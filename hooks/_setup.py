"""Make the ``kb`` package importable from the hook modules MkDocs loads by path."""

import sys
from pathlib import Path

HOOKS_DIR = str(Path(__file__).resolve().parent)
if HOOKS_DIR not in sys.path:
    sys.path.insert(0, HOOKS_DIR)
