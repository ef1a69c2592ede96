"""In a real Chromium: no request leaves the site; the sub-path copy works, instant navigation included."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

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


def _click_without_reload(page, base: str) -> None:
    """Follow a link in the content; the page must not reload (instant navigation)."""
    page.goto(base + "tactics/", wait_until="networkidle")
    page.evaluate("window.__kbMarker = 'still here'")
    loads = []
    page.on("load", lambda: loads.append(page.url))
    page.locator('.md-content a[href$="seed-users/"]').first.click()
    target = urlsplit(base).path + "tactics/seed-users/"
    page.wait_for_url(lambda url: urlsplit(url).path == target, wait_until="commit")
    page.wait_for_function("document.querySelector('.md-content h1') && document.querySelector('.md-content h1').textContent.includes('种子用户')", timeout=10000)
    assert page.evaluate("window.__kbMarker") == "still here", "the click reloaded the page: instant navigation is off"
    assert loads == []


def test_instant_navigation_under_a_sub_path_without_site_url(page, subpath_server):
    _click_without_reload(page, subpath_server.url)


@pytest.fixture(scope="module")
def subpath_server_with_url(site_with_url):
    from siteutil import StaticServer

    with StaticServer(site_with_url, "/kb/") as srv:
        yield srv


def test_instant_navigation_on_another_host_than_site_url(page, subpath_server_with_url):
    """Built for https://example.github.io/kb/, served from 127.0.0.1:<port>/kb/ (a preview, a mirror)."""
    _click_without_reload(page, subpath_server_with_url.url)


@pytest.mark.browser
def test_404_page_under_a_sub_path_without_site_url(page, subpath_server):
    """The 404 page is served at any missing path; built without SITE_URL its
    links start at the host root. Under /kb/ it still gets its styles, its
    links and its search form lead into the site."""
    response = page.goto(subpath_server.url + "no/such/page/", wait_until="load")
    assert response.status == 404
    page.wait_for_function("() => document.querySelector('.kb-404-search').getAttribute('action').startsWith('/kb/')", timeout=10000)
    prefix = "/kb/"
    # the moved stylesheet loads after the links are moved: wait for it (a slow machine took longer than the check)
    styled = "() => [...document.styleSheets].filter(s => s.href && /main\\.[0-9a-f]+\\.min\\.css/.test(s.href) && s.cssRules.length > 0).length === 1"
    try:
        page.wait_for_function(styled, timeout=10000)
    except PlaywrightTimeout:
        pytest.fail("Material's stylesheet did not load")
    assert page.evaluate("() => getComputedStyle(document.querySelector('.md-header')).position") == "sticky"
    links = page.eval_on_selector_all("article a[href]", "els => els.map(e => new URL(e.getAttribute('href'), location.href).pathname)")
    assert len(links) >= 7
    for path in links:
        assert path.startswith(prefix), path
        assert page.request.get(subpath_server.url.split("/kb/")[0] + path).status == 200, path
    page.fill("#kb-404-q", "红包")
    page.click(".kb-404-search button")
    page.wait_for_load_state("load")
    assert page.url.startswith(subpath_server.url + "?q="), page.url


@pytest.mark.browser
def test_a_page_opened_from_disk_says_it_must_be_served(page, built_site):
    page.goto((built_site / "tactics" / "seed-users" / "index.html").as_uri(), wait_until="load")
    note = page.locator(".kb-file-notice")
    note.wait_for(state="visible", timeout=5000)
    text = note.inner_text()
    assert "python -m http.server -d site" in text and "8000 端口" in text
    assert note.bounding_box()["y"] < 50, "the notice is not at the top"
