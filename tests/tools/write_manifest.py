"""Rewrite data/permalinks.yml from what the site publishes now (`make manifest`).

Keeps the `moved:` entries. Run it after adding pages or checklist items;
removing or renaming one needs a `moved:` entry instead (see CONTRIBUTING.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "hooks"))

import yaml  # noqa: E402

from kb.build import prepare  # noqa: E402
from kb.errors import DataError  # noqa: E402
from kb.permalinks import MANIFEST, render_manifest  # noqa: E402


def main() -> int:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)
    target = ROOT / "data" / MANIFEST
    backup = target.read_text(encoding="utf-8") if target.exists() else None
    try:
        # The manifest check itself must not block rewriting the manifest.
        if target.exists():
            target.rename(target.with_suffix(".yml.bak"))
        build = prepare(ROOT, ROOT / "docs", config.get("nav"))
        if backup is not None:
            target.with_suffix(".yml.bak").rename(target)
        text = render_manifest(build)
    except DataError as error:
        if backup is not None and not target.exists():
            target.with_suffix(".yml.bak").rename(target)
        print(error, file=sys.stderr)
        return 1
    target.write_text(text, encoding="utf-8")
    print(f"wrote data/{MANIFEST}")
    return 0


class _Loader(yaml.SafeLoader):
    """mkdocs.yml uses !ENV; the manifest needs only `nav`."""


_Loader.add_constructor("!ENV", lambda loader, node: None)

if __name__ == "__main__":
    sys.exit(main())
