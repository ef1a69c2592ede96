"""Add what the site publishes now to data/permalinks.yml (`make manifest`).

The manifest only grows: new pages and checklist items are added, nothing is
dropped, and `moved:` and `removed:` are kept. A page or item that is gone
needs a `moved:` or `removed:` entry written by hand (see CONTRIBUTING.md);
until then this tool stops with the same located message as the build.
Without a manifest it writes the first one from the current site.

    python tests/tools/write_manifest.py          # add new entries
    python tests/tools/write_manifest.py --check  # exit 1 if entries are missing
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "hooks"))

from kb import build as kb_build  # noqa: E402
from kb import permalinks  # noqa: E402
from kb.errors import DataError  # noqa: E402


def render(root: Path = ROOT) -> str:
    """The manifest text for the site as it is now (raises DataError on bad data
    or on a published URL that disappeared without moved:/removed:)."""
    data_dir = root / "data"
    first = not (data_dir / permalinks.MANIFEST).exists()
    build = kb_build.prepare(root, root / "docs", kb_build.read_nav(root), check_permalinks=not first)
    return permalinks.render_manifest(data_dir, build.published)


def main(argv: list[str]) -> int:
    target = ROOT / "data" / permalinks.MANIFEST
    try:
        text = render()
    except DataError as error:
        print(error, file=sys.stderr)
        return 1
    current = target.read_text(encoding="utf-8") if target.exists() else None
    if "--check" in argv:
        if current != text:
            print(f"data/{permalinks.MANIFEST} is out of date: run `make manifest`", file=sys.stderr)
            return 1
        print(f"data/{permalinks.MANIFEST} is up to date")
        return 0
    if current == text:
        print(f"data/{permalinks.MANIFEST} is up to date")
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote data/{permalinks.MANIFEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
