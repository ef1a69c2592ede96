"""Count narration lead-ins (a source as the subject of a sentence) in a built site.

    python tests/tools/count_narration.py SITE_DIR [--pages]

Prints the site-wide count and, with --pages, the count per page and each hit.
The pattern is tests/reader_text.py's NARRATION; footnotes are not counted.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reader_text import narration_leads, reader_text  # noqa: E402
from siteutil import content_pages  # noqa: E402


def count(site: Path) -> dict[str, list[str]]:
    out = {}
    for page in content_pages(site):
        hits = narration_leads(reader_text(page))
        if hits:
            out[page.relative_to(site).as_posix()] = hits
    return out


def main(argv: list[str]) -> int:
    site = Path(argv[1])
    per_page = count(site)
    total = sum(len(h) for h in per_page.values())
    print(f"narration lead-ins: {total} on {len(per_page)} pages")
    if "--pages" in argv:
        for page, hits in sorted(per_page.items(), key=lambda kv: -len(kv[1])):
            print(f"{len(hits):4d}  {page}")
            for hit in hits:
                print(f"        {hit}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
