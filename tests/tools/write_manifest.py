"""Rewrite data/permalinks.yml from what the site publishes now (`make manifest`).

Keeps the `moved:` entries. Run it after adding pages or checklist items;
removing or renaming one needs a `moved:` entry instead (see CONTRIBUTING.md).

    python tests/tools/write_manifest.py          # rewrite the file
    python tests/tools/write_manifest.py --check  # exit 1 if it is out of date
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
    """The manifest text for the site as it is now (raises DataError on bad data)."""
    # The check against the old manifest must not block rewriting it.
    build = kb_build.prepare(root, root / "docs", kb_build.read_nav(root), check_permalinks=False)
    return permalinks.render_manifest(build)


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
