"""Checklists: ids in the built site, and the behaviour a teammate relies on in a browser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from kb.pages import parse_page
from siteutil import ROOT, parse_html

CHECKLISTS = sorted((ROOT / "docs" / "checklists").glob("*.md"))
ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
REQUIRED = ["positioning", "launch", "onboarding", "maintenance", "seed-users", "fission", "event-plan", "monetization", "cleanup", "pitfalls"]


def checklist_pages():
    for path in CHECKLISTS:
        page = parse_page(path.read_text(encoding="utf-8"), f"checklists/{path.name}")
        if page.meta.get("checklist"):
            yield path.stem, page


def test_all_ten_checklists_exist_with_items():
    found = {slug: page for slug, page in checklist_pages()}
    assert set(REQUIRED) <= set(found)
    for slug in REQUIRED:
        assert len(found[slug].meta["checklist"]["items"]) >= 5, slug


def test_item_ids_are_explicit_unique_ascii_and_published(built_site):
    data = yaml.safe_load((ROOT / "data" / "permalinks.yml").read_text(encoding="utf-8"))
    gone = {"/" + str(k).lstrip("/") for k in {**(data.get("moved") or {}), **(data.get("removed") or {})}}
    manifest = {url: [a for a in anchors if f"{url}#{a}" not in gone] for url, anchors in data["pages"].items()}
    for slug, page in checklist_pages():
        ids = [item["id"] for item in page.meta["checklist"]["items"]]
        assert len(ids) == len(set(ids)), slug
        assert all(ID.match(i) for i in ids), slug
        html = parse_html(built_site / "checklists" / slug / "index.html")
        assert set(ids) <= set(html.ids), slug
        assert len(html.ids) == len(set(html.ids)), f"duplicate ids on {slug}"
        assert sorted(ids) == sorted(manifest[f"/checklists/{slug}/"]), f"{slug}: run `make manifest`"


def test_every_item_links_to_the_page_that_explains_it(built_site):
    """Every item of every checklist carries a link to its `see:` page and anchor."""
    checked, problems = 0, []
    for slug, page in checklist_pages():
        path = built_site / "checklists" / slug / "index.html"
        html = path.read_text(encoding="utf-8")
        items = dict(re.findall(r'<li class="kb-check" id="([^"]+)">(.*?)</li>', html, re.S))
        for item in page.meta["checklist"]["items"]:
            checked += 1
            body = items.get(item["id"])
            if body is None:
                problems.append(f"{slug}#{item['id']}: not on the built page")
                continue
            target, _, anchor = item["see"].partition("#")
            want = (ROOT / "docs" / target).with_suffix("")
            want = want.parent if want.name == "index" else want
            hrefs = re.findall(r'<p class="kb-check__why">.*?<a href="([^"#]*)#?([^"]*)"[^>]*>', body, re.S)
            hits = [h for h in hrefs if (path.parent / h[0]).resolve() == (built_site / want.relative_to(ROOT / "docs")).resolve() and h[1] == anchor]
            if not hits:
                problems.append(f"{slug}#{item['id']}: no link to {item['see']} (found {hrefs})")
    assert checked >= 50, f"only {checked} items found"
    assert not problems, "\n".join(problems)


def test_index_lists_every_checklist_with_count(built_site):
    html = (built_site / "checklists" / "index.html").read_text(encoding="utf-8")
    for slug, page in checklist_pages():
        assert f'href="{slug}/"' in html
        assert f'（{len(page.meta["checklist"]["items"])} 项）' in html


def test_tactics_link_to_the_checklists_that_apply_them():
    linked = set()
    for path in (ROOT / "docs" / "tactics").glob("*.md"):
        linked |= set(re.findall(r"checklists/([a-z-]+)\.md", path.read_text(encoding="utf-8")))
    assert set(REQUIRED) <= linked


# --- In the browser -------------------------------------------------------



def _items(page):
    return page.locator(".kb-check")


@pytest.mark.browser
def test_ticking_survives_reload_and_instant_navigation(page, server):
    url = server.url + "checklists/launch/"
    page.goto(url)
    progress = page.locator(".kb-checklist__progress")
    total = _items(page).count()
    assert progress.inner_text() == f"已完成 0/{total}"
    page.locator(".kb-check__box").nth(0).check()
    page.locator(".kb-check__box").nth(2).check()
    assert progress.inner_text() == f"已完成 2/{total}"
    page.reload()
    assert page.locator(".kb-check__box").nth(0).is_checked()
    assert page.locator(".kb-check__box").nth(2).is_checked()
    assert not page.locator(".kb-check__box").nth(1).is_checked()
    assert page.locator(".kb-checklist__progress").inner_text() == f"已完成 2/{total}"
    # Instant navigation away and back (Material swaps the page without a reload).
    page.locator(".md-content a[href*='tactics/']").first.click()
    page.wait_for_url(re.compile(r"/tactics/"))
    page.go_back()
    page.wait_for_selector(".kb-checklist__progress")
    assert page.locator(".kb-checklist__progress").inner_text() == f"已完成 2/{total}"


@pytest.mark.browser
def test_reset_clears_everything(page, server):
    page.goto(server.url + "checklists/onboarding/")
    boxes = page.locator(".kb-check__box")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="全部重置").click()
    assert page.locator(".kb-checklist__progress").inner_text().startswith("已完成 0/")
    page.reload()
    assert page.locator(".kb-check__box:checked").count() == 0


@pytest.mark.browser
def test_state_of_a_vanished_item_is_dropped(page, server):
    page.goto(server.url + "checklists/launch/")
    key = "kb-checklist:checklists/launch"
    first = _items(page).nth(0).get_attribute("id")
    page.evaluate("([k, a]) => localStorage.setItem(k, JSON.stringify([a, 'no-such-item']))", [key, first])
    page.reload()
    assert page.locator(".kb-checklist__progress").inner_text().startswith("已完成 1/")
    assert page.evaluate("k => JSON.parse(localStorage.getItem(k))", key) == [first]


@pytest.mark.browser
def test_item_link_scrolls_to_and_highlights_the_item(page, server):
    page.set_viewport_size({"width": 390, "height": 700})
    page.goto(server.url + "checklists/launch/#rules-posted")
    item = page.locator("#rules-posted")
    assert "is-target" in item.get_attribute("class")
    box = item.bounding_box()
    assert 0 <= box["y"] < 700


@pytest.mark.browser
def test_item_link_control_copies_its_url(context, server):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url.rstrip("/"))
    page = context.new_page()
    page.goto(server.url + "checklists/launch/")
    page.locator("#rules-posted .kb-check__link").click()
    assert page.evaluate("navigator.clipboard.readText()") == server.url + "checklists/launch/#rules-posted"


@pytest.mark.browser
def test_copy_as_text_for_a_chat(context, server):
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url.rstrip("/"))
    page = context.new_page()
    page.goto(server.url + "checklists/launch/")
    page.locator(".kb-check__box").nth(1).check()
    page.get_by_role("button", name="复制文本").click()
    text = page.evaluate("navigator.clipboard.readText()")
    lines = text.split("\n")
    assert lines[0] == "开群准备清单"
    items = [line for line in lines if line and line[0] in "☐☑"]
    assert len(items) == _items(page).count()
    assert items[0].startswith("☐ 1. ") and items[1].startswith("☑ 2. ")
    assert lines[-1] == server.url + "checklists/launch/"
    assert "<" not in text  # plain text, no markup


@pytest.mark.browser
def test_print_stylesheet_hides_chrome_and_prints_empty_boxes(page, server):
    page.goto(server.url + "checklists/launch/")
    page.locator(".kb-check__box").nth(0).check()
    page.emulate_media(media="print")
    for selector in (".md-header", ".md-sidebar--primary", ".md-footer", ".kb-checklist__bar"):
        assert page.locator(selector).first.evaluate("e => getComputedStyle(e).display") == "none", selector
    first_text = page.locator(".kb-check__text").first.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert first_text == "none"
    assert page.locator(".kb-check__box").first.evaluate("e => getComputedStyle(e).appearance") == "none"


@pytest.mark.browser
def test_without_javascript_the_checklist_is_a_plain_list(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "checklists/launch/")
    assert page.locator(".kb-checklist__bar").count() == 0  # no dead buttons
    items = page.locator(".kb-check")
    assert items.count() >= 5
    assert items.nth(0).locator(".kb-check__text").is_visible()
    assert items.nth(0).locator(".kb-check__why a").is_visible()
    context.close()
