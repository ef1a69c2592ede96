"""Pictures built at build time (hooks/kb/svg.py): layout without overlaps,
located errors for bad diagram data, every node a working link, text
alternatives, weight only where a picture is, and folding/zoom in a browser."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import yaml

from kb import svg
from kb.build import prepare, read_nav
from kb.errors import DataError
from siteutil import ROOT, data_copy, parse_html

MINDMAP = yaml.safe_load((ROOT / "data" / "mindmap.yml").read_text(encoding="utf-8"))
TREE = yaml.safe_load((ROOT / "data" / "decision_tree.yml").read_text(encoding="utf-8"))
DIAGRAMS = yaml.safe_load((ROOT / "data" / "diagrams.yml").read_text(encoding="utf-8"))
XLINK = re.compile(r'<a xlink:href="([^"]+)"')


# --- Layout -------------------------------------------------------------------------


def test_cjk_is_one_em_and_wrapped_lines_fit():
    assert svg.text_em("社群运营") == 4
    assert svg.text_em("QQ 群") == pytest.approx(0.6 * 2 + 0.35 + 1)
    for text in ("明确定位：弄清建群动机", "直接用群内讨论的主题、产品、成果命名，例如：PPT 学习", "WeChat and QQ groups compared side by side"):
        lines = svg.wrap(text, 6)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        # A closing punctuation mark may hang past the width (it never starts a line);
        # the node is as wide as its widest line, so the layout still holds.
        assert all(svg.text_em(line.rstrip("，。、；：？！」）")) <= 6 for line in lines), lines
    # Closing punctuation never starts a line.
    assert not any(line[0] in "，。：、" for line in svg.wrap("一二三四五，六七八九十。一二三四五", 5))


def _boxes_disjoint(nodes):
    boxes = [(n.x, n.y, n.x + n.w, n.y + n.h, n.text) for n in nodes]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1]):
                return f"{a[4]!r} overlaps {b[4]!r}"
    return None


def test_mind_map_layout_has_no_overlapping_labels():
    for branch in svg.mindmap_tree(MINDMAP, lambda link: link):
        svg.layout(branch, svg.MIND_STYLE)
        assert _boxes_disjoint(list(branch.walk())) is None


def test_decision_tree_layout_has_no_overlapping_labels():
    root = svg.Node("start", children=[svg.Node(o["label"], children=[svg.Node(o["next"])]) for o in TREE["start"]["options"]])
    by_id = {n["id"]: n for n in TREE["nodes"]}

    def grow(node):
        for child in node.children:
            grow(child)
        target = by_id.get(node.text)
        if target and target.get("options"):
            node.children = [svg.Node(o["label"], children=[svg.Node(o["next"])]) for o in target["options"]]
            for child in node.children:
                grow(child)

    grow(root)
    svg.layout(root, svg.TREE_STYLE)
    assert _boxes_disjoint(list(root.walk())) is None


def test_a_mind_map_picture_is_an_accessible_image_with_links_out_of_the_tab_order():
    out = svg.render_mindmap_svg("T<&>", [svg.Node("a<b", "x.html#y", children=[svg.Node("c", "z/")])], "#o")
    assert 'role="img"' in out and '<title id="kb-mm-title">' in out
    assert "a&lt;b" in out and "T&lt;&amp;&gt;" in out
    assert 'tabindex="-1"' in out
    assert " href=" not in out  # xlink:href only, see svg.HREF


# --- Bad diagram data: one located message ---------------------------------------------


def _prepare_with(tmp_path, edit) -> str:
    project = data_copy(tmp_path)
    path = project / "data" / "diagrams.yml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(DataError) as error:
        prepare(project, project / "docs", read_nav(project))
    return str(error.value)


def test_a_duplicate_diagram_id_is_located(tmp_path):
    message = _prepare_with(tmp_path, lambda t: t.replace("id: roles", "id: lifecycle"))
    assert message.startswith("data/diagrams.yml:") and "used twice" in message and "diagrams[3].id" in message and "fix:" in message


def test_a_broken_diagram_link_is_located(tmp_path):
    message = _prepare_with(tmp_path, lambda t: t.replace("basics/roles.md#lurker", "basics/roles.md#no-such"))
    assert "data/diagrams.yml:" in message and "no anchor '#no-such'" in message and "panels[0].items[4].link" in message


def test_a_panel_with_the_wrong_fields_for_its_kind_is_located(tmp_path):
    message = _prepare_with(tmp_path, lambda t: t.replace("      - kind: hub", "      - kind: ring"))
    assert "data/diagrams.yml:" in message and "diagrams[3].panels[0]" in message


def test_a_marker_naming_no_diagram_is_located(tmp_path):
    project = data_copy(tmp_path)
    page = project / "docs" / "basics" / "roles.md"
    page.write_text(page.read_text(encoding="utf-8").replace("<!-- kb:diagram roles -->", "<!-- kb:diagram rolez -->"), encoding="utf-8")
    with pytest.raises(DataError) as error:
        prepare(project, project / "docs", read_nav(project))
    message = str(error.value)
    assert re.match(r"docs/basics/roles\.md:\d+: no diagram 'rolez'", message) and "fix: use one of:" in message


# --- The built site ---------------------------------------------------------------------


def _resolves(site: Path, page_url: str, href: str) -> str | None:
    """None if ``href`` from ``page_url`` names an existing page (and id); else why not."""
    target = urlsplit(urljoin("http://x" + page_url, href))
    path = target.path
    file = site / path.lstrip("/") / "index.html" if path.endswith("/") else site / path.lstrip("/")
    if not file.exists():
        return f"{href}: no page {path}"
    if target.fragment and target.fragment not in parse_html(file).ids:
        return f"{href}: {path} has no #{target.fragment}"
    return None


def _count_nodes(nodes):
    return sum(1 + _count_nodes(n.get("children", [])) for n in nodes)


def test_every_mind_map_node_is_in_the_picture_and_links_where_it_should(built_site):
    html = (built_site / "mindmap" / "index.html").read_text(encoding="utf-8")
    picture = re.search(r'<svg class="kb-mm__svg".*?</svg>', html, re.S).group(0)
    links = XLINK.findall(picture)
    assert len(links) == _count_nodes(MINDMAP["children"]) + 1  # and the root
    broken = [why for href in set(links) if (why := _resolves(built_site, "/mindmap/", href))]
    assert not broken, broken
    # Every node's text is real text in the picture.
    texts = re.sub(r"<[^>]+>", "", "".join(re.findall(r"<text[^>]*>(.*?)</text>", picture)))
    for node in MINDMAP["children"]:
        assert node["text"].replace(" ", "") in texts.replace(" ", "").replace("&amp;", "&")
    # The outline, its text version, is still there below it.
    assert html.index('class="kb-mm__svg"') < html.index('id="kb-mindmap-outline"')


def test_the_decision_tree_picture_links_every_node_to_its_step_page(built_site):
    html = (built_site / "navigator" / "index.html").read_text(encoding="utf-8")
    picture = re.search(r'<svg class="kb-dt__svg".*?</svg>', html, re.S).group(0)
    links = XLINK.findall(picture)
    options = len(TREE["start"]["options"]) + sum(len(n.get("options", [])) for n in TREE["nodes"])
    assert len(links) == 1 + options + len(TREE["nodes"])
    targets = {href.split("#")[0] for href in links if not href.startswith("#")}
    assert targets == {f"{n['id']}/" for n in TREE["nodes"]}
    assert not [why for href in targets if (why := _resolves(built_site, "/navigator/", href))]
    assert 'class="kb-tree"' in html  # the outline stays


def test_every_step_page_shows_where_the_reader_is(built_site):
    for node in TREE["nodes"]:
        html = (built_site / "navigator" / node["id"] / "index.html").read_text(encoding="utf-8")
        picture = re.search(r'<svg class="kb-path__svg".*?</svg>', html, re.S)
        assert picture, node["id"]
        text = re.sub(r"<[^>]+>", "", picture.group(0))
        assert "你在这里：" in text and text.rstrip().endswith(node["title"][-4:]) or node["title"][-4:] in text, node["id"]
        assert not [why for href in XLINK.findall(picture.group(0)) if (why := _resolves(built_site, f"/navigator/{node['id']}/", href))]


@pytest.mark.parametrize("page, ids", [("basics/lifecycle/", ["lifecycle"]), ("basics/structure/", ["ring-vs-pyramid", "recursive-pyramid"]), ("basics/roles/", ["roles"])])
def test_diagrams_have_a_title_a_text_alternative_and_working_links(built_site, page, ids):
    html = (built_site / page / "index.html").read_text(encoding="utf-8")
    by_id = {d["id"]: d for d in DIAGRAMS["diagrams"]}
    for did in ids:
        figure = re.search(rf'<figure class="kb-dg"[^>]*><div class="kb-dg__scroll"[^>]*><svg[^>]*aria-labelledby="kb-dg-{did}-title" aria-describedby="kb-dg-{did}-desc".*?</figure>', html, re.S)
        assert figure, did
        assert f'<desc id="kb-dg-{did}-desc">{by_id[did]["alt"]}</desc>' in figure.group(0)
        assert by_id[did]["alt"] in re.search(r"<figcaption>(.*?)</figcaption>", figure.group(0), re.S).group(1)
        assert not [why for href in XLINK.findall(figure.group(0)) if (why := _resolves(built_site, "/" + page, href))]


def test_pages_without_pictures_carry_nothing_of_them(built_site):
    with_pictures = {"mindmap/index.html", "navigator/index.html", "basics/lifecycle/index.html", "basics/structure/index.html", "basics/roles/index.html"}
    for path in sorted(built_site.rglob("*.html")):
        rel = path.relative_to(built_site).as_posix()
        html = path.read_text(encoding="utf-8")
        if rel != "mindmap/index.html":
            assert "mindmap.js" not in html, rel
        assert "checklist-share.js" not in html, rel  # checklist.js loads it on checklist pages only
        if rel in with_pictures or (rel.startswith("navigator/") and rel != "navigator/index.html"):
            continue
        assert '<svg class="kb-' not in html, rel


# --- In the browser ---------------------------------------------------------------------


MM_STATE = """() => {
  const view = document.querySelector('.kb-mm__view').getBoundingClientRect();
  const shown = [...document.querySelectorAll('.kb-mm__n')].filter(g => !g.parentElement.closest('.kb-mm__n.is-folded'));
  return {
    view: [view.left, view.top, view.right, view.bottom],
    shown: shown.map(g => g.dataset.id),
    labels: shown.map(g => {
      const t = g.querySelector(':scope > .kb-mm__text');
      const r = t.getBoundingClientRect();
      return { id: g.dataset.id, px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a, box: [r.left, r.top, r.right, r.bottom] };
    }),
  };
}"""


def _label(state, ident):
    return next(label for label in state["labels"] if label["id"] == ident)


def _inside(box, view):
    return box[0] >= view[0] - 1 and box[1] >= view[1] - 1 and box[2] <= view[2] + 1 and box[3] <= view[3] + 1


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width,height", [(390, 844), (1280, 800)], ids=["phone", "laptop"])
def test_the_mind_map_opens_readable_and_is_explored_like_markmap(browser, server, width, height, scheme):
    ctx = browser.new_context(locale="zh-CN", service_workers="block", viewport={"width": width, "height": height}, color_scheme=scheme, has_touch=width < 500)
    try:
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server.url + "mindmap/")
        page.locator(".kb-mm__bar").wait_for()
        page.locator(".kb-mm__view").scroll_into_view_if_needed()
        branches = [str(i) for i in range(len(MINDMAP["children"]))]
        # The default view: the root and its branches, every label at least 12 px and in the box.
        state = page.evaluate(MM_STATE)
        assert sorted(state["shown"]) == sorted(["root", *branches]), state["shown"]
        small = [(label["id"], round(label["px"], 1)) for label in state["labels"] if label["px"] < 12]
        assert not small, small
        outside = [label["id"] for label in state["labels"] if label["id"] != "root" and not _inside(label["box"], state["view"])]
        assert not outside, (outside, state["view"])
        # A click on a node unfolds its children (and it stays where it was); again folds them.
        ident = next(b for b in branches if MINDMAP["children"][int(b)].get("children"))
        kids = len(MINDMAP["children"][int(ident)]["children"])
        before = _label(state, ident)["box"]
        page.locator(f".kb-mm__n[data-id='{ident}'] > .kb-mm__text").click()
        state = page.evaluate(MM_STATE)
        assert len(state["shown"]) == 1 + len(branches) + kids
        # The node and its children are in the box, as big as before.
        opened = [label for label in state["labels"] if label["id"] == ident or label["id"].startswith(ident + "-")]
        assert len(opened) == 1 + kids and all(_inside(label["box"], state["view"]) for label in opened), (opened, state["view"])
        assert all(label["px"] >= 12 for label in state["labels"])
        assert _label(state, ident)["px"] == pytest.approx(_label(page.evaluate(MM_STATE), ident)["px"])
        assert before
        page.locator(f".kb-mm__n[data-id='{ident}'] > .kb-mm__text").click()
        assert len(page.evaluate(MM_STATE)["shown"]) == 1 + len(branches)
        page.locator(f".kb-mm__n[data-id='{ident}'] > .kb-mm__text").click()
        # Drag to pan.
        view = state["view"]
        cx, cy = (view[0] + view[2]) / 2, (view[1] + view[3]) / 2
        start = _label(page.evaluate(MM_STATE), ident)["box"]
        page.mouse.move(cx, cy)
        page.mouse.down()
        page.mouse.move(cx - 60, cy - 30, steps=4)
        page.mouse.move(cx - 120, cy - 60, steps=4)
        page.mouse.up()
        moved = _label(page.evaluate(MM_STATE), ident)["box"]
        assert moved[0] == pytest.approx(start[0] - 120, abs=3) and moved[1] == pytest.approx(start[1] - 60, abs=3)
        assert len(page.evaluate(MM_STATE)["shown"]) == 1 + len(branches) + kids  # a drag is not a click
        # Wheel zooms in at the pointer.
        px = _label(page.evaluate(MM_STATE), ident)["px"]
        page.mouse.move(cx, cy)
        page.mouse.wheel(0, -300)
        page.wait_for_timeout(100)
        assert _label(page.evaluate(MM_STATE), ident)["px"] > px * 1.3
        # Two fingers apart zoom in too (pointer events, as a touch screen sends them).
        px = _label(page.evaluate(MM_STATE), ident)["px"]
        page.evaluate("""([x, y]) => {
          const v = document.querySelector('.kb-mm__view');
          const ev = (type, id, dx) => v.dispatchEvent(new PointerEvent(type, { pointerId: id, pointerType: 'touch', isPrimary: id === 11, clientX: x + dx, clientY: y, bubbles: true }));
          ev('pointerdown', 11, -20); ev('pointerdown', 12, 20);
          for (let d = 20; d <= 80; d += 10) { ev('pointermove', 11, -d); ev('pointermove', 12, d); }
          ev('pointerup', 11, -80); ev('pointerup', 12, 80);
        }""", [cx, cy])
        assert _label(page.evaluate(MM_STATE), ident)["px"] > px * 1.5
        # The separate 「↗」 opens the node's page; back brings the same view.
        go = page.locator(f".kb-mm__n[data-id='{ident}'] > .kb-mm__go")
        href = go.get_attribute("xlink:href")
        # Drag the node's 「↗」 to the middle of the box, then tap it.
        centre = "c => { const r = c.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }"
        for _ in range(12):
            where = go.locator("text").evaluate(centre)
            dx, dy = max(-150, min(150, cx - where[0])), max(-150, min(150, cy - where[1]))
            if abs(dx) < 1 and abs(dy) < 1:
                break
            page.mouse.move(cx, cy)
            page.mouse.down()
            page.mouse.move(cx + dx / 2, cy + dy / 2, steps=2)
            page.mouse.move(cx + dx, cy + dy, steps=2)
            page.mouse.up()
        saved = page.evaluate(MM_STATE)
        where = go.locator("text").evaluate(centre)
        assert where == pytest.approx([cx, cy], abs=3)
        page.mouse.click(cx, cy)
        page.wait_for_url(re.compile(re.escape(urljoin(server.url + "mindmap/", href).split("#")[0])))
        page.go_back()
        page.locator(".kb-mm__bar").wait_for()
        page.wait_for_timeout(300)
        back = page.evaluate(MM_STATE)
        assert sorted(back["shown"]) == sorted(saved["shown"])
        assert _label(back, ident)["px"] == pytest.approx(_label(saved, ident)["px"], rel=0.01)
        in_view = lambda state: [v - state["view"][i % 2] for i, v in enumerate(_label(state, ident)["box"])]  # noqa: E731
        assert in_view(back) == pytest.approx(in_view(saved), abs=2)
        assert not errors, errors
    finally:
        ctx.close()


@pytest.mark.browser
def test_without_javascript_the_whole_map_and_the_outline_show(browser, server):
    ctx = browser.new_context(locale="zh-CN", java_script_enabled=False, viewport={"width": 390, "height": 844})
    try:
        page = ctx.new_page()
        page.goto(server.url + "mindmap/")
        assert page.locator(".kb-mm__svg").is_visible()
        assert page.locator(".kb-mm__n.is-folded").count() == 0
        assert page.locator("#kb-mindmap-outline").is_visible()
        # Still readable: the picture scrolls instead of shrinking its labels under 12 px.
        scale = page.evaluate("() => { const s = document.querySelector('.kb-mm__svg'); return s.getBoundingClientRect().width / s.viewBox.baseVal.width; }")
        assert scale * 14 >= 12
    finally:
        ctx.close()


def test_mind_map_javascript_loads_on_the_mind_map_page_only(built_site):
    pages = [p for p in built_site.rglob("index.html") if "mindmap.js" in p.read_text(encoding="utf-8")]
    assert pages == [built_site / "mindmap" / "index.html"]


@pytest.mark.browser
def test_a_picture_node_opens_its_page_and_instant_navigation_survives_the_pictures(page, server):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url + "glossary/")
    page.locator(".md-nav a[href$='mindmap/']").first.click()  # instant navigation into the picture page
    page.wait_for_url(re.compile(r"/mindmap/$"))
    page.locator(".kb-mm__bar").wait_for()  # mindmap.js ran after the swap
    node = page.locator(".kb-mm__svg .kb-mm__n[data-id='3'] > .kb-mm__go")
    href = node.get_attribute("xlink:href")
    node.locator("text").click()
    page.wait_for_url(re.compile(re.escape(urljoin(server.url + "mindmap/", href).split("#")[0])))
    assert not errors, errors
