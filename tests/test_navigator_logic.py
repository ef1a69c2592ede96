"""Unit tests of the decision tree: one bad tree per validation rule, and rendering."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from kb.errors import DataError
from kb.navigator import START, check_tree, check_tree_links, load_tree, render_node, render_overview, render_start
from kb.pages import Page, SiteIndex
from kb.yamlio import parse_yaml

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {"000": {"title": "导图", "name": "导图"}, "004": {"title": "多少人", "name": "《多少人》"}}

GOOD = {
    "start": {
        "title": "你想做什么？",
        "options": [
            {"label": "建新群", "next": "new"},
            {"label": "群有问题", "next": "problem"},
        ],
    },
    "nodes": [
        {"id": "new", "kind": "question", "title": "为了什么？", "options": [
            {"label": "卖东西", "next": "sell"},
            {"label": "学习", "hint": "成长动机", "next": "learn"},
        ]},
        {"id": "problem", "kind": "question", "title": "什么问题？", "options": [
            {"label": "没人说话", "next": "silent"},
            {"label": "广告多", "next": "spam"},
        ]},
        {"id": "sell", "kind": "result", "title": "核心客户群", "summary": "先小后大", "reasons": ["因为"], "steps": ["一", "二"],
         "tactics": ["tactics/positioning.md#how"], "checklists": ["checklists/launch.md#rules-posted"], "sources": ["000"]},
        {"id": "learn", "kind": "result", "title": "学习群", "summary": "s", "reasons": ["r"], "steps": ["s"], "sources": ["004"]},
        {"id": "silent", "kind": "result", "title": "激活", "summary": "s", "reasons": ["r"], "steps": ["s"], "sources": ["004"]},
        {"id": "spam", "kind": "result", "title": "清理", "summary": "s", "reasons": ["r"], "steps": ["s"], "sources": ["004"],
         "platform": {"pick": "qq", "why": "有禁言", "compare": ["tools"]}},
    ],
}


def tree_from(data: dict, tmp_path: Path):
    """Write ``data`` as YAML next to the real schemas and load it."""
    (tmp_path / "schemas").mkdir(exist_ok=True)
    schema = (ROOT / "data" / "schemas" / "decision_tree.schema.json").read_text(encoding="utf-8")
    (tmp_path / "schemas" / "decision_tree.schema.json").write_text(schema, encoding="utf-8")
    path = tmp_path / "decision_tree.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_tree(path, "data/decision_tree.yml", SOURCES)


def site_index() -> SiteIndex:
    pages = {
        "tactics/positioning.md": Page("tactics/positioning.md", {"title": "明确定位"}, {}, "", anchors={"how"}),
        "checklists/launch.md": Page("checklists/launch.md", {"title": "开群准备"}, {}, "", anchors={"rules-posted"}),
        "navigator/index.md": Page("navigator/index.md", {"title": "决策导航"}, {}, ""),
        "platforms/wechat-vs-qq.md": Page("platforms/wechat-vs-qq.md", {"title": "对比"}, {}, ""),
        "sources.md": Page("sources.md", {"title": "来源"}, {}, ""),
    }
    return SiteIndex(pages)


def broken(tmp_path: Path, change) -> DataError:
    data = copy.deepcopy(GOOD)
    change(data)
    with pytest.raises(DataError) as info:
        tree = tree_from(data, tmp_path)
        check_tree_links(tree, site_index(), ["tools", "fit"])
    return info.value


def node(data: dict, nid: str) -> dict:
    return next(n for n in data["nodes"] if n["id"] == nid)


def test_good_tree_loads_with_parents_and_depths(tmp_path):
    tree = tree_from(GOOD, tmp_path)
    check_tree_links(tree, site_index(), ["tools"])
    assert tree.trail("sell") == [(START, 0), ("new", 0)]
    assert tree.depth("spam") == 2
    assert sorted(tree.results()) == ["learn", "sell", "silent", "spam"]


def test_duplicate_id(tmp_path):
    error = broken(tmp_path, lambda d: d["nodes"].append(copy.deepcopy(node(d, "learn"))))
    assert "used by two nodes" in error.message and error.node == "learn" and error.line


def test_next_that_points_nowhere(tmp_path):
    error = broken(tmp_path, lambda d: node(d, "new")["options"][0].update(next="sel"))
    assert "'next: sel' points to no node" in error.message
    assert error.path == ("nodes", 0, "options", 0, "next") and error.line


def test_cycle(tmp_path):
    def make_cycle(d):
        d["start"]["options"][1]["next"] = "silent"  # 'problem' loses its way in...
        node(d, "silent").update(kind="question", options=[{"label": "a", "next": "problem"}, {"label": "b", "next": "spam"}])
        for key in ("summary", "reasons", "steps", "sources"):
            node(d, "silent").pop(key)
        node(d, "problem")["options"] = [{"label": "x", "next": "silent2"}, {"label": "y", "next": "learn2"}]
        d["nodes"].append({"id": "silent2", "kind": "result", "title": "t", "summary": "s", "reasons": ["r"], "steps": ["s"], "sources": ["000"]})
        d["nodes"].append({"id": "learn2", "kind": "question", "title": "t", "options": [{"label": "a", "next": "problem"}, {"label": "b", "next": "silent2"}]})
    error = broken(tmp_path, make_cycle)
    assert "reached from two places" in error.message or "loop" in error.message


def test_pure_cycle_without_second_parent(tmp_path):
    def make_cycle(d):
        # a <-> b: each reached once, neither reachable from the start.
        d["nodes"].append({"id": "a", "kind": "question", "title": "a", "options": [{"label": "1", "next": "b"}, {"label": "2", "next": "c"}]})
        d["nodes"].append({"id": "b", "kind": "question", "title": "b", "options": [{"label": "1", "next": "a"}, {"label": "2", "next": "d"}]})
        for extra in ("c", "d"):
            d["nodes"].append({"id": extra, "kind": "result", "title": extra, "summary": "s", "reasons": ["r"], "steps": ["s"], "sources": ["000"]})
    error = broken(tmp_path, make_cycle)
    assert "loop" in error.message


def test_unreachable_node(tmp_path):
    error = broken(tmp_path, lambda d: d["nodes"].append({"id": "orphan", "kind": "result", "title": "t", "summary": "s", "reasons": ["r"], "steps": ["s"], "sources": ["000"]}))
    assert "cannot be reached" in error.message and error.node == "orphan"


def test_node_with_two_ways_in(tmp_path):
    error = broken(tmp_path, lambda d: node(d, "problem")["options"][1].update(next="sell"))
    assert "reached from two places" in error.message


def test_question_needs_two_options(tmp_path):
    error = broken(tmp_path, lambda d: node(d, "new")["options"].pop())
    assert "at least 2" in error.message


def test_result_cannot_have_options(tmp_path):
    error = broken(tmp_path, lambda d: node(d, "learn").update(options=[{"label": "x", "next": "sell"}]))
    assert "unknown key 'options'" in error.message


def test_unknown_key_is_an_error(tmp_path):
    error = broken(tmp_path, lambda d: node(d, "learn").update(tittle="x"))
    assert "unknown key 'tittle'" in error.message and "title" in error.fix and error.line


def test_missing_required_field(tmp_path):
    error = broken(tmp_path, lambda d: node(d, "learn").pop("steps"))
    assert "'steps' is missing" in error.message


def test_wrong_field_type(tmp_path):
    error = broken(tmp_path, lambda d: node(d, "learn").update(steps="先做这个"))
    assert "expected a list" in error.message


def test_unknown_source(tmp_path):
    error = broken(tmp_path, lambda d: node(d, "learn").update(sources=["009"]))
    assert "unknown source '009'" in error.message


def test_link_to_missing_page(tmp_path):
    error = broken(tmp_path, lambda d: node(d, "sell").update(tactics=["tactics/no-such.md"]))
    assert "not a page of the site" in error.message and error.node == "sell"


def test_link_to_missing_anchor(tmp_path):
    error = broken(tmp_path, lambda d: node(d, "sell").update(checklists=["checklists/launch.md#nope"]))
    assert "no anchor '#nope'" in error.message and "rules-posted" in error.fix


def test_unknown_comparison_dimension(tmp_path):
    error = broken(tmp_path, lambda d: node(d, "spam")["platform"].update(compare=["nope"]))
    assert "no dimension 'nope'" in error.message


def test_error_message_names_file_line_node_and_fix(tmp_path):
    text = str(broken(tmp_path, lambda d: node(d, "new")["options"][0].update(next="sel")))
    assert text.startswith("data/decision_tree.yml:")
    assert "node 'new'" in text and "nodes[0].options[0].next" in text and "fix:" in text


def test_rendered_node_escapes_data_and_shows_the_trail(tmp_path):
    data = copy.deepcopy(GOOD)
    node(data, "sell")["title"] = "</h1><script>alert(1)</script>"
    node(data, "new")["options"][0]["label"] = "<b>卖</b>"
    tree = tree_from(data, tmp_path)
    html = render_node(tree, "sell", site_index())
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;卖&lt;/b&gt;" in html
    assert 'href="../new/"' in html and 'href="../"' in html  # change an answer, restart
    assert "如果你的情况不同" in html and "学习" in html  # the sibling branch
    assert 'href="../../tactics/positioning/#how"' in html


def test_start_and_overview_link_every_node(tmp_path):
    tree = tree_from(GOOD, tmp_path)
    start = render_start(tree, site_index())
    assert 'href="new/"' in start and 'href="problem/"' in start
    overview = render_overview(tree, site_index())
    for nid in tree.nodes:
        assert f'href="{nid}/"' in overview


def test_yaml_line_numbers_point_into_the_file():
    text = "start:\n  title: x\n  options:\n    - label: a\n      next: b\n"
    _data, lines = parse_yaml(text, "f.yml")
    assert lines[("start", "options", 0, "next")] == 5
