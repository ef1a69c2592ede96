"""Unit tests of YAML loading, page scanning, markers and the permalink manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.checklists import check_checklist, render_checklist
from kb.errors import DataError
from kb.markers import check_known, find_markers
from kb.pages import Page, SiteIndex, check_heading_ids, parse_page, relative_url
from kb.yamlio import Lines, load_yaml, validate_schema

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "f.yml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_yaml_syntax_error_has_line(tmp_path):
    with pytest.raises(DataError) as info:
        load_yaml(write(tmp_path, "a: 1\nb: [1, 2\nc: 3\n"), "data/f.yml")
    assert info.value.line in (2, 3, 4) and "not valid YAML" in info.value.message


SCHEMA = {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}}}}}}


def test_each_broken_save_of_a_file_parsed_before_reports_its_error(tmp_path):
    """`mkdocs serve` keeps the parse of an unchanged file between rebuilds;
    a broken save still stops every rebuild with its message (the editor may
    save it twice), and the fixed file is read again."""
    path = write(tmp_path, "items:\n  - id: a\n")
    rel = "data/saved-again.yml"
    data, lines = load_yaml(path, rel)
    validate_schema(data, SCHEMA, rel, lines)
    path.write_text("items:\n  - id: a\n\t- id: b\n", encoding="utf-8")  # indented with a tab
    for _ in range(2):
        with pytest.raises(DataError) as info:
            load_yaml(path, rel)
        assert info.value.file == rel and info.value.line == 3 and "Tab 缩进" in info.value.zh
    path.write_text("items:\n  - id: 5\n", encoding="utf-8")  # parses, but not valid
    for _ in range(2):
        data, lines = load_yaml(path, rel)
        with pytest.raises(DataError) as info:
            validate_schema(data, SCHEMA, rel, lines)
        assert info.value.line == 2 and info.value.path == ("items", 0, "id") and "文字" in info.value.zh
    path.write_text("items:\n  - id: b\n", encoding="utf-8")
    data, lines = load_yaml(path, rel)
    validate_schema(data, SCHEMA, rel, lines)
    assert data == {"items": [{"id": "b"}]} and lines[("items", 0, "id")] == 2


def test_changing_what_load_yaml_returned_does_not_change_the_next_load(tmp_path):
    path = write(tmp_path, "items:\n  - id: a\n")
    data, lines = load_yaml(path, "data/changed.yml")
    data["items"].append({"id": "b"})
    data["items"][0]["id"] = "z"
    lines[("items", 1)] = 9
    lines.columns.clear()
    again, lines_again = load_yaml(path, "data/changed.yml")
    assert again == {"items": [{"id": "a"}]}
    assert ("items", 1) not in lines_again and lines_again.columns[("items", 0, "id")] == 5
    assert isinstance(lines_again, Lines) and lines_again.text == "items:\n  - id: a\n" and lines_again.offset == 0


def test_empty_file(tmp_path):
    with pytest.raises(DataError, match="empty"):
        load_yaml(write(tmp_path, "# only a comment\n"), "data/f.yml")


def test_invalid_utf8(tmp_path):
    with pytest.raises(DataError) as info:
        load_yaml(write(tmp_path, b"a: 1\nb: \xff\xfe\n"), "data/f.yml")
    assert info.value.line == 2 and "UTF-8" in info.value.message


def test_duplicate_key(tmp_path):
    with pytest.raises(DataError) as info:
        load_yaml(write(tmp_path, "a: 1\nb: 2\na: 3\n"), "data/f.yml")
    assert info.value.line == 3 and "twice" in info.value.message


def test_schema_error_points_to_the_line(tmp_path):
    data, lines = load_yaml(write(tmp_path, "items:\n  - id: a\n  - id: 5\n"), "data/f.yml")
    schema = {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}}}}}}
    with pytest.raises(DataError) as info:
        validate_schema(data, schema, "data/f.yml", lines)
    assert info.value.line == 3 and info.value.path == ("items", 1, "id")


def test_wrong_top_level_type(tmp_path):
    data, lines = load_yaml(write(tmp_path, "- a\n- b\n"), "data/f.yml")
    with pytest.raises(DataError, match="expected a mapping"):
        validate_schema(data, {"type": "object"}, "data/f.yml", lines)


PAGE = """---
title: 测试
description: 一个测试页面，用来检查解析。
tags: [拉新]
sources: ["000"]
---

开头。

## 怎么做 {#how}

### 第一步 {: #step-one .x }

<div id="raw-html"></div>
"""


def test_page_scan_finds_explicit_ids_and_front_matter():
    page = parse_page(PAGE, "t.md")
    assert page.meta["title"] == "测试"
    assert page.anchors == {"how", "step-one", "raw-html"}
    assert page.lines[("tags",)] == 4
    check_heading_ids(page)


def test_heading_without_id_is_an_error():
    page = parse_page(PAGE + "\n## 注意\n", "t.md")
    with pytest.raises(DataError) as info:
        check_heading_ids(page)
    assert "has no explicit id" in info.value.message and info.value.line == 16


def test_non_ascii_heading_id_is_an_error():
    page = parse_page(PAGE + "\n## 注意 {#注意}\n", "t.md")
    with pytest.raises(DataError):
        check_heading_ids(page)


def test_unknown_marker():
    markers = find_markers("a\n\n<!-- kb:comparsion x -->\n", first_line=10)
    with pytest.raises(DataError) as info:
        check_known(markers, "docs/x.md")
    assert info.value.line == 12 and "kb:comparison" in info.value.fix


def test_relative_urls_work_at_any_depth():
    assert relative_url("", "tactics/seed-users/") == "../../"
    assert relative_url("tactics/", "tactics/seed-users/") == "../"
    assert relative_url("cases/xiaomi/", "") == "cases/xiaomi/"
    assert relative_url("tactics/seed-users/", "tactics/seed-users/") == "./"


def checklist_page(items, body="<!-- kb:checklist -->\n") -> Page:
    meta = {"title": "开群准备", "checklist": {"when": "开群前", "items": items}}
    return Page("checklists/launch.md", meta, Lines(), body, headings=[(5, 2, "用完之后", "after")], anchors={"after"})


def item(iid, see="tactics/group-rules.md#how", text="发群规"):
    return {"id": iid, "text": text, "why": "因为", "see": see}


def checklist_index() -> SiteIndex:
    return SiteIndex({"tactics/group-rules.md": Page("tactics/group-rules.md", {"title": "群规"}, {}, "", anchors={"how"}, headings=[(3, 2, "怎么做", "how")])})


def test_checklist_duplicate_item_id():
    with pytest.raises(DataError, match="used twice"):
        check_checklist(checklist_page([item("a"), item("a")]), checklist_index())


def test_checklist_item_id_clashing_with_heading():
    with pytest.raises(DataError, match="also a heading id"):
        check_checklist(checklist_page([item("after")]), checklist_index())


def test_checklist_needs_its_marker():
    with pytest.raises(DataError, match="no place to show them"):
        check_checklist(checklist_page([item("a")], body="no marker"), checklist_index())


def test_checklist_link_must_resolve():
    with pytest.raises(DataError, match="no anchor '#why'"):
        check_checklist(checklist_page([item("a", see="tactics/group-rules.md#why")]), checklist_index())


def test_checklist_renders_ids_links_and_escapes():
    page = checklist_page([item("rules-posted", text="<b>发群规</b>"), item("welcome")])
    html = render_checklist(page, checklist_index(), {"rules-posted": ["old-rules"]})
    assert '<li class="kb-check" id="rules-posted">' in html and 'id="welcome"' in html
    assert 'id="old-rules"' in html  # a renamed item keeps its old anchor
    assert "&lt;b&gt;发群规&lt;/b&gt;" in html and "<b>" not in html
    assert 'href="../../tactics/group-rules/#how"' in html and "群规 › 怎么做" in html
    assert 'href="#rules-posted"' in html and "disabled" in html  # plain list without JS
