"""The built site: links and anchors, hosting without and with SITE_URL, sub-path hosting, share meta."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from siteutil import content_pages, html_pages, parse_html, pagefind_fragments


OUR_TEXT = (".html", ".xml", ".json", ".txt", ".css")  # what the build writes; not Material's bundled .js/.map
LOC = re.compile(r"<loc>([^<]*)</loc>")


def test_a_build_without_site_url_names_it_and_writes_no_localhost(built_site, build_log):
    assert "SITE_URL is not set" in build_log
    found = []
    for path in sorted(built_site.rglob("*")):
        if path.suffix in OUR_TEXT and not path.is_relative_to(built_site / "pagefind"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for host in ("127.0.0.1", "localhost", "0.0.0.0"):
                if host in text:
                    found.append(f"{path.relative_to(built_site)}: {host}")
    assert found == []
    for page in content_pages(built_site):
        meta = parse_html(page).meta
        text = page.read_text(encoding="utf-8")
        assert 'rel="canonical"' not in text and "og:url" not in meta, page


def test_sitemap_without_site_url_lists_every_page_relative_to_the_root(built_site):
    locs = LOC.findall((built_site / "sitemap.xml").read_text(encoding="utf-8"))
    assert all(not urlsplit(loc).scheme and not loc.startswith("/") for loc in locs), locs[:5]
    pages = {p.relative_to(built_site).as_posix()[: -len("index.html")] for p in content_pages(built_site)}
    assert set(locs) == pages


def test_site_url_gives_canonical_og_url_and_an_absolute_sitemap(site_with_url):
    page = site_with_url / "tactics" / "seed-users" / "index.html"
    meta = parse_html(page).meta
    assert '<link rel="canonical" href="https://example.github.io/kb/tactics/seed-users/">' in page.read_text(encoding="utf-8")
    assert meta["og:url"] == "https://example.github.io/kb/tactics/seed-users/"
    assert meta["og:image"] == "https://example.github.io/kb/assets/images/share-card.png"
    locs = LOC.findall((site_with_url / "sitemap.xml").read_text(encoding="utf-8"))
    assert locs and all(loc.startswith("https://example.github.io/kb/") for loc in locs)


def _target_file(site_dir: Path, page: Path, href: str) -> tuple[Path, str] | None:
    """The file and fragment an internal href points to (None if external)."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith(("mailto:", "tel:", "javascript:")):
        return None
    if not parts.path:
        return page, unquote(parts.fragment)
    path = (page.parent / unquote(parts.path)).resolve()
    if parts.path.endswith("/") or path.is_dir():
        path = path / "index.html"
    return path, unquote(parts.fragment)


def test_every_internal_link_and_anchor_resolves(built_site):
    broken = []
    checked = 0
    for page in content_pages(built_site):
        for href in parse_html(page).links:
            target = _target_file(built_site, page, href)
            if target is None:
                continue
            path, fragment = target
            checked += 1
            rel = page.relative_to(built_site)
            if not path.exists() or built_site.resolve() not in path.parents and path != built_site:
                broken.append(f"{rel}: {href} (no such page)")
            elif fragment and path.suffix == ".html" and fragment not in parse_html(path).ids:
                broken.append(f"{rel}: {href} (no #{fragment} on the target)")
    assert checked > 500, "the link check found suspiciously few links"
    assert broken == []


def _fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_site_works_under_a_sub_path(built_site, subpath_server):
    """Served at /kb/, every page, link, anchor, script and stylesheet resolves inside /kb/."""
    base = subpath_server.url
    prefix = urlsplit(base).path
    seen_status: dict[str, int] = {}
    broken = []
    for page in content_pages(built_site):
        rel = page.relative_to(built_site).as_posix()
        url = base + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)
        html = parse_html(page)
        for href in html.links + html.resources:
            absolute = urljoin(url, href)
            parts = urlsplit(absolute)
            if parts.netloc != urlsplit(base).netloc:
                continue
            if not parts.path.startswith(prefix):
                broken.append(f"{rel}: {href} leaves {prefix}")
                continue
            key = parts.path
            if key not in seen_status:
                seen_status[key], body = _fetch(f"{parts.scheme}://{parts.netloc}{parts.path}")
            if seen_status[key] != 200:
                broken.append(f"{rel}: {href} -> HTTP {seen_status[key]}")
    assert len(seen_status) > 50
    assert broken == []


def test_every_page_carries_link_card_meta(built_site):
    missing = []
    for page in content_pages(built_site):
        meta = parse_html(page).meta
        rel = page.relative_to(built_site).as_posix()
        for key in ("description", "og:title", "og:description", "og:image"):  # og:url needs SITE_URL
            if not meta.get(key, "").strip():
                missing.append(f"{rel}: {key}")
        image = meta.get("og:image", "")
        if image and not (page.parent / urlsplit(image).path).resolve().exists():
            missing.append(f"{rel}: og:image {image} is not in the site")
    assert missing == []


def test_page_description_comes_from_front_matter(built_site):
    meta = parse_html(built_site / "tactics" / "seed-users" / "index.html").meta
    source = (Path(__file__).resolve().parents[1] / "docs" / "tactics" / "seed-users.md").read_text(encoding="utf-8")
    description = re.search(r"^description:\s*(.+)$", source, re.M).group(1).strip().strip("\"'")
    assert meta["description"] == description
    assert meta["og:description"] == description


def test_404_page_is_chinese_with_search_and_sections(built_site):
    text = (built_site / "404.html").read_text(encoding="utf-8")
    assert "页面没找到" in text
    assert 'name="q"' in text
    for section in ("navigator/", "checklists/", "cases/", "platforms/wechat-vs-qq/"):
        assert section in text


def test_search_index_holds_every_page_but_the_excluded(built_site):
    """Pagefind indexed each built page once, except those whose front matter
    says search: exclude (the tag list) and the 404 page."""
    indexed = set(pagefind_fragments(built_site))
    pages = {"/" + p.parent.relative_to(built_site).as_posix() + "/" if p.parent != built_site else "/"
             for p in built_site.rglob("index.html") if not p.relative_to(built_site).parts[0] in ("pagefind", "assets")}
    excluded = {"/tags/"}
    assert indexed == pages - excluded, (sorted(pages - excluded - indexed), sorted(indexed - pages))
    seed = pagefind_fragments(built_site)["/tactics/seed-users/"]
    assert "种子 用户" in seed["content"] and seed["meta"]["title"].replace(" ", "") .startswith("种子用户")
