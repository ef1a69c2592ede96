"""Knowledge pages: front matter, shapes, cross-links, mind map traceability, cases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kb.build import prepare, read_nav
from siteutil import ROOT, parse_html




@pytest.fixture(scope="module")
def build():
    return prepare(ROOT, ROOT / "docs", read_nav(ROOT))


SECTIONS = ("basics/", "tactics/", "cases/", "checklists/")


def content(build):
    return {rel: p for rel, p in build.pages.items() if rel.startswith(SECTIONS) and not rel.endswith("index.md")}


def test_every_content_page_has_front_matter_from_the_vocabulary(build):
    pages = content(build)
    assert len(pages) >= 40
    for rel, page in pages.items():
        assert page.meta["title"] and len(page.meta["description"]) >= 20, rel
        assert page.meta["tags"], f"{rel}: no tags"
        assert set(page.meta["tags"]) <= set(build.tags), rel
        assert page.meta["sources"] and set(page.meta["sources"]) <= set(build.sources), rel


def test_tactic_pages_follow_the_shape(build):
    for rel, page in content(build).items():
        if rel.startswith("tactics/"):
            ids = [h[3] for h in page.headings if h[1] == 2]
            assert ids[:3] == ["what", "why", "how"], rel
            assert {"pitfalls", "see-also"} <= set(ids), rel


HOW_HEADING = re.compile(r"^## 怎么做 \{#how\}\n+(.*?)(?=\n\n)", re.M | re.S)


def test_every_tactic_starts_how_with_a_numbered_list(build):
    """An operator reads the steps first: 怎么做 opens with 1. 2. 3. before any detail."""
    missing = []
    for rel, page in content(build).items():
        if rel.startswith("tactics/"):
            match = HOW_HEADING.search(page.body)
            first = match.group(1).splitlines() if match else []
            if len(first) < 2 or not (first[0].startswith("1. ") and first[1].startswith("2. ")):
                missing.append(f"{rel}: 怎么做 starts with {first[:1]!r}")
    assert not missing, "tactic pages whose 怎么做 does not open with a numbered list:\n" + "\n".join(missing)


def test_every_tactic_links_a_related_tactic(build):
    for rel, page in content(build).items():
        if rel.startswith("tactics/"):
            others = set(re.findall(r"\(([a-z-]+)\.md", page.body)) - {Path(rel).stem}
            assert others, f"{rel} links no other tactic"


def test_no_orphan_pages(build, built_site):
    """Every page is in the navigation or linked from another page."""
    nav = set(build.order)
    linked = set()
    for html in built_site.rglob("*.html"):
        for href in parse_html(html).links:
            linked.add((html.parent / href.split("#")[0]).resolve())
    for rel in build.pages:
        if rel in ("404.md",):
            continue
        out = built_site / (rel[:-3].removesuffix("index") if rel.endswith("index.md") else rel[:-3])
        assert rel in nav or out.resolve() in linked, f"{rel} is an orphan"


def test_related_pages_and_sources_line_on_every_content_page(built_site, build):
    for rel in content(build):
        html = (built_site / rel[:-3] / "index.html").read_text(encoding="utf-8")
        assert 'class="kb-sources"' in html, rel
        assert "相关页面" in html, rel


def _mindmap_nodes() -> list[dict]:
    """Every node of data/mindmap.yml, read directly (not through the hooks)."""
    data = yaml.safe_load((ROOT / "data" / "mindmap.yml").read_text(encoding="utf-8"))
    out, stack = [], list(data["children"])
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(node.get("children") or [])
    return out


def _built(site: Path, link: str) -> tuple[Path, str]:
    """'tactics/x.md#a' -> (site/tactics/x/index.html, 'a')."""
    page, _, anchor = link.partition("#")
    stem = page[: -len(".md")]
    stem = stem[: -len("index")] if stem.endswith("index") else stem + "/"
    return site / stem / "index.html", anchor


def test_every_mind_map_node_resolves(built_site):
    nodes = _mindmap_nodes()
    assert len(nodes) >= 200  # the source has ~280 real nodes
    broken = []
    for node in nodes:
        path, anchor = _built(built_site, node["link"])
        if not path.exists():
            broken.append(f"{node['text']}: {node['link']} (no page {path.relative_to(built_site)})")
        elif anchor and anchor not in parse_html(path).ids:
            broken.append(f"{node['text']}: {node['link']} (no #{anchor} on the built page)")
    assert not broken, f"{len(broken)} mind map node(s) lead nowhere:\n" + "\n".join(broken)
    # And the overview page shows every node as a link to that place.
    page = built_site / "mindmap" / "index.html"
    html = page.read_text(encoding="utf-8")
    links = re.findall(r'<a href="([^"]*)">([^<]*)</a>', html[html.index('class="kb-mindmap"'):])
    shown = {(text, (page.parent / href.split("#")[0] / "index.html").resolve(), href.partition("#")[2]) for href, text in links}
    for node in nodes:
        path, anchor = _built(built_site, node["link"])
        text = node["text"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert (text, path.resolve(), anchor) in shown, f"the mind map page has no link '{node['text']}' to {node['link']}"


def test_every_branch_of_the_mind_map_lands_on_a_tactic_or_basics_page(build):
    for node in build.mindmap.data["children"]:
        assert node["link"].startswith(("tactics/", "basics/")), node["text"]


@pytest.mark.browser
def test_mind_map_outline_works_without_javascript(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "mindmap/")
    branches = page.locator("details.kb-mindmap__branch")
    assert branches.count() >= 8
    first = page.locator("details.kb-mindmap__branch:has(ul)").first
    link = first.locator("ul a").first
    assert link.is_visible()
    first.locator("summary").click()  # native <details>: collapses with no script
    assert not link.is_visible()
    first.locator("summary").click()
    link.click()
    assert "/mindmap/" not in page.url
    context.close()


CASES = ["luoji-siwei", "xiaomi", "qiuye-ppt", "starbucks"]


@pytest.mark.parametrize("slug", CASES)
def test_case_page_links_three_tactics_and_cites_every_figure(build, built_site, slug):
    page = build.pages[f"cases/{slug}.md"]
    tactics = set(re.findall(r"\.\./tactics/([a-z-]+)\.md", page.body))
    assert len(tactics) >= 3, slug
    assert (built_site / "cases" / slug / "index.html").exists()
    figures = page.body.split("{#figures}", 1)[1].split("\n## ", 1)[0]
    for line in figures.splitlines():
        # Digits other than source names (来源 003) and footnote labels are figures.
        bare = re.sub(r"\[\^[^\]]+\]|来源 ?00\d|00\d《", "", line)
        if re.search(r"\d", bare) and line.strip():
            assert re.search(r"\[\^[^\]]+\]", line), f"{slug}: figure without a source: {line.strip()[:60]}"


def test_case_index_table_is_generated_from_front_matter(build, built_site):
    html = (built_site / "cases" / "index.html").read_text(encoding="utf-8")
    for slug in CASES:
        name = build.pages[f"cases/{slug}.md"].meta["case"]["name"]
        assert f'<a href="{slug}/">{name}</a>' in html
