"""Unit tests of comparison tables: load, check, render, escape."""

from __future__ import annotations

import copy
import re
from pathlib import Path

import pytest
import yaml

from kb.comparisons import check_marker, load_comparison, render_summary, render_table
from kb.errors import DataError
from kb.markers import find_markers
from kb.pages import Page, SiteIndex
from kb.yamlio import load_schema

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = load_schema(ROOT / "data" / "schemas" / "comparison.schema.json")
SOURCES = {"002": {"title": "课件", "name": "课件"}, "004": {"title": "多少人", "name": "《多少人》"}}

GOOD = {
    "id": "a-vs-b",
    "title": "A 和 B",
    "caption": "A 与 B 的对比",
    "columns": [{"id": "a", "name": "甲"}, {"id": "b", "name": "乙"}],
    "groups": [
        {"id": "join", "name": "加入", "dimensions": [
            {"id": "search", "name": "搜索", "cells": {
                "a": {"value": "不能", "state": "无", "source": "002"},
                "b": {"value": "能", "state": "有", "source": "002", "note": "需审核"}},
             "verdict": {"pick": ["b"], "need": "让人搜到你", "why": "乙可以搜索。"}},
        ]},
        {"id": "size", "name": "规模", "dimensions": [
            {"id": "limit", "name": "上限", "cells": {
                "a": {"value": "资料未提及", "state": "未知"},
                "b": {"value": "2000 人", "source": "004", "as_of": "资料写作时"}},
             "verdict": {"pick": [], "need": "很大的群", "why": "资料只写了乙。"}},
        ]},
    ],
}


def load(tmp_path: Path, data: dict):
    path = tmp_path / "c.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_comparison(path, "data/comparisons/c.yml", SCHEMA, SOURCES)


def index() -> SiteIndex:
    return SiteIndex({"sources.md": Page("sources.md", {"title": "来源"}, {}, ""), "x/page.md": Page("x/page.md", {"title": "p"}, {}, "")})


def bad(tmp_path, change) -> DataError:
    data = copy.deepcopy(GOOD)
    change(data)
    with pytest.raises(DataError) as info:
        load(tmp_path, data)
    return info.value


def dim(data, i=0, g=0):
    return data["groups"][g]["dimensions"][i]


def test_good_file_renders_an_accessible_table(tmp_path):
    html = render_table(load(tmp_path, GOOD), SOURCES, index(), "x/page.md")
    assert "<caption>A 与 B 的对比</caption>" in html
    assert html.count('scope="col"') == 4  # 对比项, 甲, 乙, 怎么选
    assert html.count('scope="row"') == 2
    assert html.count('scope="rowgroup"') == 2 and html.count("<tbody>") == 2
    assert 'href="../../sources/#src-002"' in html
    assert "截至：资料写作时" in html and "kb-state--unknown" in html
    # every data cell says something: no blank cell for a screen reader
    assert not re.search(r"<td[^>]*>\s*</td>", html)


def test_summary_groups_needs_by_pick(tmp_path):
    data = copy.deepcopy(GOOD)
    dim(data, g=1)["cells"]["a"] = {"value": "2000 人", "source": "004"}
    html = render_summary(load(tmp_path, data))
    assert "选乙，如果你需要" in html and "让人搜到你" in html
    assert "差别不大" in html and "很大的群" in html


THREE = {
    "id": "x-vs-y",
    "title": "X 和 Y",
    "caption": "X、Y、Z 的对比",
    "columns": [{"id": "x", "name": "甲"}, {"id": "y", "name": "乙"}, {"id": "z", "name": "丙"}],
    "groups": [{"id": "tools", "name": "工具", "dimensions": [
        # 乙 has it, 甲 and 丙 are unknown: recommending 乙 would rest on two gaps.
        {"id": "notice", "name": "公告", "cells": {
            "x": {"value": "资料未提及", "state": "未知"},
            "y": {"value": "有", "state": "有", "source": "002"},
            "z": {"value": "资料未提及", "state": "未知"}},
         "verdict": {"pick": ["y"], "need": "发公告", "why": "乙有公告。"}},
        # 乙 has it, 甲 known not to, 丙 unknown: 乙 over 甲 stands, 丙 named as unknown.
        {"id": "search", "name": "搜索", "cells": {
            "x": {"value": "不能", "state": "无", "source": "002"},
            "y": {"value": "能", "state": "有", "source": "002"},
            "z": {"value": "资料未提及", "state": "未知"}},
         "verdict": {"pick": ["y"], "need": "让人搜到你", "why": "乙可以搜索。"}},
        # 差别不大 needs two known columns.
        {"id": "size", "name": "上限", "cells": {
            "x": {"value": "资料未提及", "state": "未知"},
            "y": {"value": "2000 人", "source": "004"},
            "z": {"value": "资料未提及", "state": "未知"}},
         "verdict": {"pick": [], "need": "很大的群", "why": "差不多。"}},
    ]}],
}


def recommended(html: str) -> dict[str, set[str]]:
    """{column id: dimension ids recommended for it} from the rendered 「怎么选」."""
    out: dict[str, set[str]] = {}
    for col, body in re.findall(r'<div class="kb-choose__col" data-pick="([^"]*)">(.*?)</div>', html):
        out[col] = set(re.findall(r'<li data-dim="([^"]+)"', body))
    return out


def test_summary_never_recommends_on_an_unknown_cell(tmp_path):
    """「怎么选」 is computed from known cells only: a pick whose every alternative is
    未知 is not a recommendation, and the page names the rows with unknown cells."""
    html = render_summary(load(tmp_path, THREE))
    picks = recommended(html)
    assert "notice" not in picks.get("y", set()), "乙 recommended for 公告 although 甲 and 丙 are unknown"
    assert picks.get("y") == {"search"}
    assert "size" not in picks.get("", set()), "「差别不大」 with one known column"
    assert picks.get("unknown") == {"notice", "size"}
    assert "说不清" in html
    # the caveat names the unknown column next to the recommendation that stands
    assert re.search(r'data-dim="search">[^<]*<span class="kb-choose__caveat">（丙', html)
    # and the page lists every row with an unknown cell
    note = re.search(r'<p class="kb-choose__unknown">(.*?)</p>', html).group(1)
    assert "公告（甲、丙）" in note and "搜索（丙）" in note and "上限（甲、丙）" in note


def test_table_verdict_says_unknown_instead_of_picking(tmp_path):
    html = render_table(load(tmp_path, THREE), SOURCES, index(), "x/page.md", show="table")
    row = re.search(r'<tr id="x-vs-y-notice">.*?</tr>', html).group(0)
    assert "<strong>乙</strong>" not in row and "说不清" in row


def test_verdict_cannot_pick_an_unknown_cell(tmp_path):
    error = bad(tmp_path, lambda d: dim(d, g=1)["verdict"]["pick"].append("a"))
    assert "未知" in str(error) and "pick" in str(error)


def test_subset_of_dimensions(tmp_path):
    html = render_table(load(tmp_path, GOOD), SOURCES, index(), "x/page.md", dims=["limit"], show="table")
    assert "上限" in html and "搜索" not in html and "加入" not in html  # empty group left out


def test_html_in_values_is_escaped(tmp_path):
    data = copy.deepcopy(GOOD)
    dim(data)["cells"]["a"]["value"] = "</td><script>alert(1)</script>"
    dim(data)["name"] = "<img src=x onerror=alert(1)>"
    data["caption"] = "<b>cap</b>"
    dim(data)["verdict"]["why"] = "<i>w</i>"
    html = render_table(load(tmp_path, data), SOURCES, index(), "x/page.md")
    assert "<script>" not in html and "<img" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;/td&gt;&lt;script&gt;" in html


def test_missing_cell(tmp_path):
    error = bad(tmp_path, lambda d: dim(d)["cells"].pop("b"))
    assert "has no cell for column 'b'" in error.message and "未知" in error.fix and error.line


def test_cell_for_unknown_column(tmp_path):
    error = bad(tmp_path, lambda d: dim(d)["cells"].update(c={"value": "x", "source": "002"}))
    assert "names no column" in error.message


def test_unknown_source(tmp_path):
    error = bad(tmp_path, lambda d: dim(d)["cells"]["a"].update(source="007"))
    assert "unknown source '007'" in error.message


def test_cell_without_source_must_be_unknown(tmp_path):
    error = bad(tmp_path, lambda d: dim(d)["cells"]["a"].pop("source"))
    assert "has no source" in error.message


def test_unknown_key(tmp_path):
    error = bad(tmp_path, lambda d: dim(d)["cells"]["a"].update(vaule="x"))
    assert "unknown key 'vaule'" in error.message


def test_bad_state(tmp_path):
    error = bad(tmp_path, lambda d: dim(d)["cells"]["a"].update(state="是"))
    assert "not one of the allowed values" in error.message and "有" in error.fix


def test_duplicate_dimension(tmp_path):
    error = bad(tmp_path, lambda d: d["groups"][1]["dimensions"].append(copy.deepcopy(dim(d))))
    assert "dimension id 'search' is used twice" in error.message


def test_verdict_picks_unknown_column(tmp_path):
    error = bad(tmp_path, lambda d: dim(d)["verdict"].update(pick=["c"]))
    assert "not a column" in error.message


def test_marker_arguments_are_checked(tmp_path):
    comparisons = {"a-vs-b": load(tmp_path, GOOD)}
    ok = find_markers("<!-- kb:comparison a-vs-b dims=search,limit show=table -->")[0]
    check_marker(ok, comparisons, "docs/x.md")
    for text, expected in [
        ("<!-- kb:comparison nope -->", "there is no comparison 'nope'"),
        ("<!-- kb:comparison a-vs-b dims=search,nope -->", "no dimension 'nope'"),
        ("<!-- kb:comparison a-vs-b colour=red -->", "exactly one table id"),
        ("<!-- kb:comparison a-vs-b show=all -->", "show=all is not known"),
        ("<!-- kb:comparison -->", "exactly one table id"),
    ]:
        with pytest.raises(DataError, match=re.escape(expected)):
            check_marker(find_markers(text)[0], comparisons, "docs/x.md")


def test_marker_anchors_are_the_rendered_row_ids(tmp_path):
    from kb.comparisons import marker_anchors

    comparisons = {"a-vs-b": load(tmp_path, GOOD)}
    marker = find_markers("<!-- kb:comparison a-vs-b dims=limit -->")[0]
    anchors = marker_anchors(marker, comparisons)
    html = render_table(comparisons["a-vs-b"], SOURCES, index(), "x/page.md", dims=["limit"])
    assert anchors == {"a-vs-b-limit", "a-vs-b-group-size"}
    for anchor in anchors:
        assert f'id="{anchor}"' in html
    assert marker_anchors(find_markers("<!-- kb:comparison a-vs-b show=summary -->")[0], comparisons) == set()


# --- outside citations: a named public source beyond the five files ------------

OUTSIDE = {"name": "微信团队《某公告》", "url": "https://weixin.qq.com/x?a=1&b=2", "as_of": "2015-02-05"}


def with_outside(data, outside):
    cell = dim(data)["cells"]["a"]
    cell.pop("source")
    cell["outside"] = outside
    return data


def test_outside_citation_stands_in_for_a_source_and_renders_named_and_dated(tmp_path):
    data = with_outside(copy.deepcopy(GOOD), dict(OUTSIDE))
    html = render_table(load(tmp_path, data), SOURCES, index(), "x/page.md")
    assert '<span class="kb-cell__outside" data-search-exclude>来源文件之外：<a href="https://weixin.qq.com/x?a=1&amp;b=2" rel="noopener noreferrer">微信团队《某公告》</a>（截至 2015-02-05）</span>' in html


def test_outside_citation_without_url_is_plain_text(tmp_path):
    outside = {k: v for k, v in OUTSIDE.items() if k != "url"}
    html = render_table(load(tmp_path, with_outside(copy.deepcopy(GOOD), outside)), SOURCES, index(), "x/page.md")
    assert "来源文件之外：微信团队《某公告》（截至 2015-02-05）" in html


def test_outside_citation_is_escaped(tmp_path):
    outside = {"name": "<script>alert(1)</script>", "url": "https://a.example/?q=1&x=2", "as_of": "2019-10"}
    html = render_table(load(tmp_path, with_outside(copy.deepcopy(GOOD), outside)), SOURCES, index(), "x/page.md")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="https://a.example/?q=1&amp;x=2"' in html


@pytest.mark.parametrize("change, message", [
    (lambda o: o.pop("as_of"), "as_of"),
    (lambda o: o.pop("name"), "name"),
    (lambda o: o.update(as_of="去年"), "as_of"),
    (lambda o: o.update(url="javascript:alert(1)"), "url"),
    (lambda o: o.update(url='https://a.example/"onmouseover="x'), "url"),
    (lambda o: o.update(page=3), "page"),
])
def test_outside_citation_needs_a_name_and_a_date_and_a_web_address(tmp_path, change, message):
    outside = dict(OUTSIDE)
    change(outside)
    error = bad(tmp_path, lambda d: with_outside(d, outside))
    assert "outside" in error.path, error
    assert message in error.path or message in error.message, error


def test_unquoted_yaml_date_is_refused_for_as_of(tmp_path):
    """YAML reads 2015-02-05 without quotes as a date, not the string the page prints."""
    path = tmp_path / "c.yml"
    text = yaml.safe_dump(with_outside(copy.deepcopy(GOOD), dict(OUTSIDE)), allow_unicode=True, sort_keys=False)
    path.write_text(text.replace("as_of: '2015-02-05'", "as_of: 2015-02-05"), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_comparison(path, "data/comparisons/c.yml", SCHEMA, SOURCES)
    assert "as_of" in info.value.path
