"""The real decision tree: every path ends in a result, and the pages work without JavaScript."""

from __future__ import annotations

import re

import pytest

from kb.navigator import START, load_tree
from kb.content import load_sources
from siteutil import ROOT, parse_html

DATA = ROOT / "data"


@pytest.fixture(scope="module")
def tree():
    return load_tree(DATA / "decision_tree.yml", "data/decision_tree.yml", load_sources(DATA))


def paths(tree, qid=START, trail=()):
    for option in tree.question(qid)["options"]:
        nid = option["next"]
        step = trail + (option["label"],)
        if tree.nodes[nid]["kind"] == "result":
            yield nid, step
        else:
            yield from paths(tree, nid, step)


def test_tree_size_and_entries(tree):
    labels = [o["label"] for o in tree.start["options"]]
    for entry in ("我要建一个新群", "我的群出了问题", "我想变现", "我要办一次活动"):
        assert entry in labels
    assert len(tree.nodes) >= 25


def test_every_path_ends_in_a_result_within_four_answers(tree):
    results = list(paths(tree))
    assert len(results) == len(tree.results())  # a tree: each result once
    for nid, trail in results:
        assert len(trail) <= 4, f"{nid}: {' → '.join(trail)}"


def test_every_result_recommends_tactics_checklists_and_cites_sources(tree, built_site):
    for nid in tree.results():
        node = tree.nodes[nid]
        assert node.get("tactics") and node.get("checklists"), nid
        assert node["sources"], nid
        html = parse_html(built_site / "navigator" / nid / "index.html")
        for href in html.links:
            if href.startswith("../../tactics/") or href.startswith("../../checklists/"):
                target = built_site / "navigator" / nid / href.split("#")[0]
                assert (target / "index.html").exists(), f"{nid}: {href}"


def test_each_node_has_a_page_with_the_step_in_title_and_h1(tree, built_site):
    for nid, node in tree.nodes.items():
        path = built_site / "navigator" / nid / "index.html"
        text = path.read_text(encoding="utf-8")
        title = parse_html(path).title
        h1 = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S).group(1)
        if node["kind"] == "question":
            step = f"第 {tree.depth(nid) + 1} 步"
            assert step in title and step in h1, nid
        else:
            assert "建议" in title and "建议" in h1, nid
        assert "重新开始" in text and "你的回答" in text


def test_navigator_pages_are_in_search_as_steps(tree, built_site):
    """Every step page is indexed, with the filter that ranks it below the pages that explain."""
    from siteutil import pagefind_fragments

    fragments = pagefind_fragments(built_site)
    for nid in tree.nodes:
        fragment = fragments.get(f"/navigator/{nid}/")
        assert fragment, f"navigator/{nid}/ is not in the search index"
        assert fragment["filters"].get("kind") == ["step"], nid
    assert "kind" not in fragments["/tactics/seed-users/"]["filters"]


def test_start_page_shows_the_overview_of_every_node(tree, built_site):
    html = (built_site / "navigator" / "index.html").read_text(encoding="utf-8")
    for nid in tree.nodes:
        assert f'href="{nid}/"' in html


@pytest.mark.browser
def test_click_from_start_to_a_result_without_javascript(browser, server, tree):
    nid, trail = next((n, t) for n, t in paths(tree) if len(t) >= 2)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server.url + "navigator/")
    for label in trail:
        page.locator(".kb-nav-options a", has_text=label).first.click()
    assert page.url.endswith(f"/navigator/{nid}/")
    assert page.locator("h1").inner_text().startswith("建议")
    answers = page.locator(".kb-trail .kb-trail__a").all_inner_texts()
    assert answers == list(trail)
    # Change the last answer: back on the question that asked it.
    page.locator(".kb-trail__change").last.click()
    assert page.locator(".kb-nav-options a", has_text=trail[-1]).count() == 1
    page.locator(".kb-restart").first.click()
    assert page.url.endswith("/navigator/")
    context.close()


@pytest.mark.browser
def test_options_are_a_real_list_of_links(page, server, tree):
    qid = tree.start["options"][0]["next"]
    page.goto(server.url + f"navigator/{qid}/")
    options = page.locator("ul.kb-nav-options > li > a")
    assert options.count() == len(tree.nodes[qid]["options"])
    snapshot = page.locator("ul.kb-nav-options").aria_snapshot()
    assert snapshot.startswith("- list")
    assert snapshot.count("- listitem") == options.count() and snapshot.count("- link") == options.count()
