"""In a real Chromium: no request leaves the site; the sub-path copy works."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.browser

SAMPLE = [
    "",
    "tactics/seed-users/",
    "checklists/launch/",
    "platforms/wechat-vs-qq/",
    "navigator/",
    "cases/xiaomi/",
    "mindmap/",
    "glossary/",
]


def _record(page, origin: str) -> list[str]:
    outside: list[str] = []

    def on_request(request):
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if f"{parts.scheme}://{parts.netloc}" != origin:
            outside.append(request.url)

    page.on("request", on_request)
    return outside


def test_no_request_leaves_the_site(page, server):
    origin = server.url.rstrip("/")
    outside = _record(page, origin)
    for path in SAMPLE:
        page.goto(server.url + path, wait_until="networkidle")
    # Searching loads the search worker and the index: still nothing outside.
    page.goto(server.url + "?q=种子用户", wait_until="networkidle")
    page.wait_for_selector(".md-search-result__item", timeout=15000)
    assert outside == []


def test_pages_load_styles_and_scripts_under_a_sub_path(page, subpath_server):
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    for path in ("", "checklists/launch/", "navigator/"):
        page.goto(subpath_server.url + path, wait_until="networkidle")
        # Material's stylesheet applied: the header is a fixed bar, not unstyled text.
        assert page.eval_on_selector(".md-header", "e => getComputedStyle(e).position") in ("sticky", "fixed")
    assert failed == []
