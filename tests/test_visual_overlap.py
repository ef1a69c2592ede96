"""Text that overlaps an icon or other text fails the build, on the page types
with generated furniture, at phone and desktop widths, light and dark.

tests/overlaps.js runs in the page and measures what the browser drew: lines
of text, SVG labels, inline icons and the ::before/::after icons of admonitions
and details (which have no DOM node of their own). A last test puts the old
mind-map defect back (summary padding that hid Material's icon slot) and
checks that the check sees it.
"""

from __future__ import annotations

import pytest

from siteutil import ROOT

pytestmark = pytest.mark.browser

SCRIPT = (ROOT / "tests" / "overlaps.js").read_text(encoding="utf-8")
PAGES = {
    "mindmap": "mindmap/",
    "navigator": "navigator/",
    "navigator-step": "navigator/new-group-sales/",
    "checklist": "checklists/launch/",
    "checklist-shared": "checklists/launch/?done=goal-written,rules-posted,no-such-item",
    "comparison": "platforms/wechat-vs-qq/",
    "diagrams": "basics/structure/",
}
WIDTHS = {"phone": 390, "desktop": 1280}
SCHEMES = ("default", "slate")


def measure(page, selector: str = ".md-content") -> dict:
    return page.evaluate(SCRIPT + f"\n;kbFindOverlaps({selector!r})")


def open_page(page, url: str, width: int, scheme: str) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(url)
    page.evaluate("s => document.body.setAttribute('data-md-color-scheme', s)", scheme)
    page.wait_for_timeout(50)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
@pytest.mark.parametrize("name", PAGES)
def test_no_text_overlaps_text_or_an_icon(page, server, name, width, scheme):
    open_page(page, server.url + PAGES[name], width, scheme)
    if name.startswith("checklist"):
        page.locator(".kb-checklist__bar").wait_for()
    if name == "checklist-shared":
        page.locator(".kb-shared").wait_for()
    if name == "mindmap":
        page.locator(".kb-mm__bar").wait_for()
        page.get_by_role("button", name="全部展开").click()  # every label of the map drawn
    found = measure(page)
    assert found["texts"] > 20, found  # it looked at the page
    overlaps = found["overlaps"]
    assert not overlaps, f"{len(overlaps)} overlap(s) on {PAGES[name]} at {width}px, {scheme}:\n" + "\n".join(
        f"  {o['a']}\n    × {o['b']}  ({o['overlap']})" for o in overlaps[:12]
    )


def test_dark_scheme_is_really_applied(page, server):
    open_page(page, server.url + "mindmap/", 1280, "slate")
    bg = page.evaluate("getComputedStyle(document.body).getPropertyValue('--md-default-bg-color')")
    assert bg.strip() not in ("#fff", "#ffffff", "")


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_check_catches_the_old_mind_map_icon_defect(page, server, width):
    open_page(page, server.url + "mindmap/", width, "default")
    page.add_style_tag(content=".md-typeset .kb-mindmap__branch > summary { padding: .3em 0; }")
    overlaps = measure(page)["overlaps"]
    hits = [o for o in overlaps if "::before of" in o["a"] + o["b"] and "summary" in o["a"] + o["b"]]
    assert len(hits) >= 10, overlaps[:3]  # one per branch summary


def test_the_check_catches_text_on_text(page, server):
    open_page(page, server.url + "checklists/launch/", 390, "default")
    page.locator(".kb-checklist__bar").wait_for()
    page.add_style_tag(content=".md-typeset .kb-check__why { margin-top: -1.6em; }")
    assert measure(page)["overlaps"]
