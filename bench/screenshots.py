"""Screenshots of each page type at phone and desktop width, light and dark,
for a reviewer to look at: bench/screenshots/<page>-<width>-<scheme>.png.

    python bench/screenshots.py --site DIR [--out DIR] [--pages mindmap,checklist]

DIR is a built site (`make build` writes site/). Standalone: it needs only
tests/siteutil.py (server, Chromium flags) and Playwright. The PNGs are not
committed (bench/screenshots/ is git-ignored).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from siteutil import CHROMIUM_ARGS, StaticServer, chromium_path  # noqa: E402

#: page type -> path under the site root
PAGES = {
    "mindmap": "mindmap/",
    "navigator": "navigator/",
    "navigator-step": "navigator/new-group-sales/",
    "checklist": "checklists/launch/",
    "comparison": "platforms/wechat-vs-qq/",
    "lifecycle": "basics/lifecycle/",
    "structure": "basics/structure/",
    "roles": "basics/roles/",
    "tactic": "tactics/seed-users/",
    "home": "",
}
#: page type -> what to bring to the top of the window before the shot (the
#: mind map sits below the page's introduction)
SCROLL_TO = {"mindmap": ".kb-mm"}
WIDTHS = {"phone": (390, 844), "desktop": (1280, 800)}
SCHEMES = ("default", "slate")


def set_scheme(page, scheme: str) -> None:
    """Material's palette toggle state, applied to the page as it would be."""
    page.evaluate(
        """scheme => {
            document.body.setAttribute('data-md-color-scheme', scheme);
            document.body.setAttribute('data-md-color-primary', 'teal');
            document.body.setAttribute('data-md-color-accent', 'deep-orange');
        }""",
        scheme,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, required=True, help="a built site directory")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "screenshots")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated page types: " + ", ".join(PAGES))
    parser.add_argument("--full-page", action="store_true", help="the whole page, not the first screen")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    wanted = [p for p in args.pages.split(",") if p]
    unknown = [p for p in wanted if p not in PAGES]
    if unknown:
        parser.error(f"unknown page types {unknown}; known: {', '.join(PAGES)}")
    written = []
    with StaticServer(args.site.resolve(), "/") as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        for width_name, (width, height) in WIDTHS.items():
            context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN", service_workers="block", device_scale_factor=1)
            page = context.new_page()
            for name in wanted:
                page.goto(server.url + PAGES[name], wait_until="load")
                if name in SCROLL_TO and not args.full_page:
                    page.wait_for_timeout(300)
                    page.evaluate(
                        "sel => { const el = document.querySelector(sel);"
                        " const covered = Math.max(0, ...[...document.querySelectorAll('.md-header, .md-tabs')].map(h => h.getBoundingClientRect().bottom));"
                        " if (el) window.scrollTo(0, el.getBoundingClientRect().top + scrollY - covered - 8); }",
                        SCROLL_TO[name],
                    )
                for scheme in SCHEMES:
                    set_scheme(page, scheme)
                    page.wait_for_timeout(150)
                    path = args.out / f"{name}-{width}-{scheme}.png"
                    page.screenshot(path=str(path), full_page=args.full_page)
                    written.append(path)
            context.close()
        browser.close()
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    print(f"{len(written)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
