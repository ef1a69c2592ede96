"""The WeChat-vs-QQ page in the built site and in a phone-sized browser."""

from __future__ import annotations

import re

import pytest
import yaml

from siteutil import ROOT, mkdocs_build

PAGE = "platforms/wechat-vs-qq/index.html"


def platforms() -> dict:
    return yaml.safe_load((ROOT / "data" / "platforms.yml").read_text(encoding="utf-8"))


def test_data_covers_the_sources_points():
    data = platforms()
    dims = [d for g in data["groups"] for d in g["dimensions"]]
    assert len(dims) >= 12
    assert {c["id"] for c in data["columns"]} == {"wechat", "qq", "qq-discussion"}
    assert {g["name"] for g in data["groups"]} >= {"加入机制", "信息呈现", "管理工具", "运营特征", "群规模", "适用场景"}


def test_table_has_every_dimension_and_platform(built_site):
    html = (built_site / PAGE).read_text(encoding="utf-8")
    data = platforms()
    for column in data["columns"]:
        assert f'<th scope="col">{column["name"]}</th>' in html
    for group in data["groups"]:
        assert f">{group['name']}</th>" in html
        for dim in group["dimensions"]:
            assert f'id="wechat-vs-qq-{dim["id"]}"' in html
    # 「怎么选」 summary: one block per column that some verdict picks, listing
    # exactly those needs, in data order; needs no verdict picks under 差别不大.
    names = {c["id"]: c["name"] for c in data["columns"]}
    dims = [d for g in data["groups"] for d in g["dimensions"]]
    expected = {}
    for cid in names:
        needs = [d["verdict"]["need"] for d in dims if cid in d["verdict"]["pick"]]
        if needs:
            expected[f"选{names[cid]}，如果你需要："] = needs
    ties = [d["verdict"]["need"] for d in dims if not d["verdict"]["pick"]]
    if ties:
        expected["差别不大的地方："] = ties
    summary = html[html.index('<div class="kb-choose"'):]
    summary = summary[: summary.index("</div></div>") + len("</div></div>")]
    shown = {
        title: re.findall(r"<li>(.*?)：", items)
        for title, items in re.findall(r'<h3 class="kb-choose__title">(.*?)</h3><ul>(.*?)</ul>', summary)
    }
    assert shown == expected


def test_subset_is_embedded_on_the_positioning_tactic(built_site):
    html = (built_site / "tactics" / "positioning" / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr id="wechat-vs-qq-([a-z0-9-]+)"', html)
    assert rows and set(rows) <= {"search-join", "info-stream", "group-size-limit", "fit"}


def test_editing_the_yaml_changes_the_page(project_copy, tmp_path):
    path = project_copy / "data" / "platforms.yml"
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    old = data["groups"][0]["dimensions"][0]["cells"]["wechat"]["value"]
    path.write_text(text.replace(old, "编辑改过的值 <测试>", 1), encoding="utf-8")
    result = mkdocs_build(tmp_path / "site", project=project_copy)
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "site" / PAGE).read_text(encoding="utf-8")
    assert "编辑改过的值 &lt;测试&gt;" in html and old not in html


@pytest.mark.browser
def test_nothing_is_cut_off_on_a_phone(page, server):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(server.url + "platforms/wechat-vs-qq/")
    overflow = page.evaluate(
        """() => {
            const out = [];
            for (const el of document.querySelectorAll('.kb-compare td, .kb-compare th')) {
                const r = el.getBoundingClientRect();
                if (r.width > 0 && (r.right > window.innerWidth + 1 || r.left < -1)) out.push(el.textContent.slice(0, 30));
            }
            return {cells: out, page: document.documentElement.scrollWidth > window.innerWidth};
        }"""
    )
    assert overflow == {"cells": [], "page": False}
    # Stacked cards: each value cell shows which platform it belongs to.
    label = page.locator(".kb-compare td").first.evaluate("e => getComputedStyle(e, '::before').content")
    assert "微信" in label


@pytest.mark.browser
def test_headers_have_accessible_names(page, server):
    page.goto(server.url + "platforms/wechat-vs-qq/")
    table = page.get_by_role("table", name=re.compile("微信群"))
    assert table.count() == 1
    assert table.get_by_role("columnheader", name="QQ 群").count() + table.get_by_role("columnheader", name="QQ群").count() >= 1
    assert table.get_by_role("rowheader").count() >= 12
    snapshot = table.aria_snapshot()
    assert "columnheader" in snapshot and "rowheader" in snapshot
