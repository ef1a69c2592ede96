"""The decision-tree navigator: load and check data/decision_tree.yml, render pages.

The tree is a tree, not a graph: every node has exactly one way in, so each
node page can show the reader's answers so far without JavaScript or query
strings, and every page URL can be shared as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from . import svg
from .content import render_questions
from .errors import DataError
from .pages import SiteIndex
from .yamlio import Lines, load_schema, load_yaml, validate_schema

SECTION = "navigator"
START_PAGE = f"{SECTION}/index.md"
START = "(start)"
PLATFORM_NAMES = {"wechat": "微信群", "qq": "QQ 群", "qq-discussion": "QQ 讨论组", "either": "微信群或 QQ 群都可以"}
LINK_KINDS = (("tactics", "相关战术"), ("checklists", "要用的清单"), ("cases", "可以参考的案例"))


@dataclass
class Tree:
    data: dict
    file: str
    lines: Lines
    nodes: dict[str, dict] = field(default_factory=dict)
    position: dict[str, int] = field(default_factory=dict)  # node id -> index in nodes[]
    parent: dict[str, tuple[str, int]] = field(default_factory=dict)  # node id -> (question id or START, option index)
    source_names: dict[str, str] = field(default_factory=dict)  # source id -> the name a reader sees

    @property
    def start(self) -> dict:
        return self.data["start"]

    def question(self, qid: str) -> dict:
        return self.start if qid == START else self.nodes[qid]

    def trail(self, node_id: str) -> list[tuple[str, int]]:
        """The (question, chosen option) pairs from the start page to ``node_id``."""
        steps = []
        current = node_id
        while current in self.parent:
            qid, option = self.parent[current]
            steps.append((qid, option))
            current = qid
        return list(reversed(steps))

    def depth(self, node_id: str) -> int:
        return len(self.trail(node_id))

    def page(self, node_id: str) -> str:
        return f"{SECTION}/{node_id}.md"

    def results(self) -> list[str]:
        return [nid for nid, node in self.nodes.items() if node["kind"] == "result"]


def load_tree(path: Path, rel: str, sources: dict[str, dict]) -> Tree:
    data, lines = load_yaml(path, rel)
    validate_schema(data, load_schema(path.parent / "schemas" / "decision_tree.schema.json"), rel, lines)
    tree = Tree(data, rel, lines, source_names={sid: source.get("name", sid) for sid, source in sources.items()})
    check_tree(tree, sources)
    return tree


def check_tree(tree: Tree, sources: dict[str, dict]) -> None:
    """Unique ids, every ``next`` resolves, one way into each node, no cycles, all reachable."""
    rel, lines = tree.file, tree.lines

    def fail(message: str, fix: str, path: tuple, node: str | None = None, zh: str | None = None, zh_fix: str | None = None) -> None:
        raise DataError(rel, message, fix=fix, path=path, line=lines.near(path), node=node, zh=zh, zh_fix=zh_fix, column=lines.column(path))

    for i, node in enumerate(tree.data["nodes"]):
        if node["id"] in tree.nodes:
            fail(f"the id '{node['id']}' is used by two nodes", "give each node its own id (it becomes the page URL /navigator/<id>/)", ("nodes", i, "id"), node["id"], zh=f"id「{node['id']}」被两个节点用了", zh_fix="每个节点用自己的 id（它就是网址 /navigator/<id>/）")
        tree.nodes[node["id"]] = node
        tree.position[node["id"]] = i
        for s, source in enumerate(node.get("sources", [])):
            if source not in sources:
                fail(f"unknown source '{source}'", "use one of the ids in data/sources.yml: " + ", ".join(sorted(sources)), ("nodes", i, "sources", s), node["id"], zh=f"没有编号为「{source}」的资料", zh_fix="用 data/sources.yml 里的编号之一：" + "、".join(sorted(sources)))

    def options_of(qid: str) -> tuple[list[dict], tuple]:
        if qid == START:
            return tree.start["options"], ("start", "options")
        return tree.nodes[qid].get("options", []), ("nodes", tree.position[qid], "options")

    for qid in [START, *tree.nodes]:
        options, base = options_of(qid)
        for o, option in enumerate(options):
            target = option["next"]
            path = base + (o, "next")
            node_name = None if qid == START else qid
            if target not in tree.nodes:
                fail(f"'next: {target}' points to no node", "use the id of a node in this file, or add a node with that id", path, node_name, zh=f"「next: {target}」指向的节点不存在", zh_fix="写这个文件里某个节点的 id，或者加一个这个 id 的节点")
            if target in tree.parent:
                other_q, other_o = tree.parent[target]
                where = "the start page" if other_q == START else f"node '{other_q}'"
                fail(
                    f"the node '{target}' is reached from two places (also option {other_o + 1} of {where})",
                    "each node has one way in so its page can show the reader's answers; copy the node under a new id for the second way",
                    path,
                    node_name,
                    zh=f"节点「{target}」从两个地方都能进入（另一处是{'首页' if other_q == START else f'节点「{other_q}」'}的第 {other_o + 1} 个选项）",
                    zh_fix="每个节点只能有一个入口，页面才能显示读者一路的回答：把这个节点复制一份、换个 id，给第二条路用",
                )
            tree.parent[target] = (qid, o)

    # Cycles: walking up parents from any node must reach the start.
    for nid in tree.nodes:
        seen = {nid}
        current = nid
        while current in tree.parent:
            current = tree.parent[current][0]
            if current == START:
                break
            if current in seen:
                fail(f"the questions form a loop through '{nid}'", "make every path end in a result; a question cannot lead back to an earlier one", ("nodes", tree.position[nid]), nid, zh=f"问题经过「{nid}」绕成了一个圈", zh_fix="每条路都要走到一个建议；问题不能回到前面的问题")
            seen.add(current)
        else:
            if current != START:
                fail(
                    f"the node '{nid}' cannot be reached from the start page",
                    "add an option whose 'next' is this id, or remove the node",
                    ("nodes", tree.position[nid], "id"),
                    nid,
                    zh=f"从首页走不到节点「{nid}」",
                    zh_fix="给某个选项写「next: " + nid + "」，或者删掉这个节点",
                )


def check_tree_links(tree: Tree, index: SiteIndex, comparison_dims: list[str]) -> None:
    """Every linked page and #anchor exists; embedded comparison dims exist."""
    for nid, node in tree.nodes.items():
        base = ("nodes", tree.position[nid])
        for kind, _label in LINK_KINDS:
            for k, target in enumerate(node.get(kind, [])):
                index.check_link(target, tree.file, base + (kind, k), tree.lines, node=nid)
        for d, dim in enumerate(node.get("platform", {}).get("compare", [])):
            if dim not in comparison_dims:
                path = base + ("platform", "compare", d)
                raise DataError(tree.file, f"the WeChat-vs-QQ table has no dimension '{dim}'", fix="use dimension ids from data/platforms.yml: " + ", ".join(comparison_dims), path=path, line=tree.lines.near(path), node=nid, zh=f"微信群与 QQ 群对比表里没有维度「{dim}」", zh_fix="用 data/platforms.yml 里的维度 id：" + "、".join(comparison_dims))


def _node_title(tree: Tree, node_id: str) -> str:
    node = tree.nodes[node_id]
    if node["kind"] == "result":
        return f"建议：{node['title']}"
    return f"第 {tree.depth(node_id) + 1} 步：{node['title']}"


def page_title(tree: Tree, node_id: str) -> str:
    """The page's <title> and <h1>: the step number (or 建议) and the question."""
    return _node_title(tree, node_id)


def _options_html(tree: Tree, qid: str, from_rel: str, index: SiteIndex) -> str:
    options = tree.question(qid)["options"]
    items = []
    for option in options:
        hint = f'<span class="kb-nav-option__hint">{escape(option["hint"])}</span>' if option.get("hint") else ""
        url = index.url(tree.page(option["next"]), from_rel)
        items.append(f'<li><a class="kb-nav-option" href="{escape(url)}"><span class="kb-nav-option__label">{escape(option["label"])}</span>{hint}</a></li>')
    return f'<ul class="kb-nav-options">{"".join(items)}</ul>'


def _trail_html(tree: Tree, node_id: str, from_rel: str, index: SiteIndex) -> str:
    steps = tree.trail(node_id)
    items = []
    for qid, option in steps:
        question = tree.question(qid)
        target = START_PAGE if qid == START else tree.page(qid)
        url = index.url(target, from_rel)
        items.append(
            f'<li><span class="kb-trail__q">{escape(question["title"])}</span>'
            f'<span class="kb-trail__a">{escape(question["options"][option]["label"])}</span>'
            f'<a class="kb-trail__change" href="{escape(url)}">改一改<span class="md-visually-hidden">：{escape(question["title"])}</span></a></li>'
        )
    restart = index.url(START_PAGE, from_rel)
    return (
        '<nav class="kb-trail" aria-labelledby="kb-trail-title" data-search-exclude="true"><h2 id="kb-trail-title">你的回答</h2>'
        f'{_path_picture(tree, node_id, from_rel, index)}'
        f'<ol>{"".join(items)}</ol><p><a class="kb-restart" href="{escape(restart)}">重新开始</a></p></nav>'
    )


def _path_picture(tree: Tree, node_id: str, from_rel: str, index: SiteIndex) -> str:
    """Where the reader is: the questions answered so far, top to bottom, and
    this page; the list below it is its text version."""
    steps = []
    for qid, option in tree.trail(node_id):
        question = tree.question(qid)
        target = START_PAGE if qid == START else tree.page(qid)
        steps.append((question["title"], index.url(target, from_rel), question["options"][option]["label"]))
    steps.append((tree.nodes[node_id]["title"], None, None))
    label = f"你在决策导航里的位置：回答了 {len(steps) - 1} 个问题，到了「{tree.nodes[node_id]['title']}」。文字版见下面的列表。"
    return f'<figure class="kb-path"><div class="kb-path__scroll" tabindex="0" role="region" aria-label="你走过的路（可左右滚动）">{svg.render_path_svg(steps, label)}</div></figure>'


def tree_nodes(tree: Tree, index: SiteIndex, from_rel: str) -> svg.Node:
    """The decision tree as picture nodes: questions and results, with the
    answer that leads to each as a node of its own (muted) in between."""

    def node(nid: str) -> svg.Node:
        data = tree.nodes[nid]
        kind = "result" if data["kind"] == "result" else "question"
        text = ("建议：" if kind == "result" else "") + data["title"]
        return svg.Node(text, index.url(tree.page(nid), from_rel), cls=f"kb-dt__{kind}", children=answers(nid) if kind == "question" else [])

    def answers(qid: str) -> list[svg.Node]:
        out = []
        for option in tree.question(qid)["options"]:
            target = option["next"]
            out.append(svg.Node(option["label"], index.url(tree.page(target), from_rel), cls="kb-dt__answer", children=[node(target)]))
        return out

    start_href = "#start" if from_rel == START_PAGE else index.url(START_PAGE, from_rel)
    return svg.Node(tree.start["title"], start_href, cls="kb-dt__question", children=answers(START))


def render_tree_picture(tree: Tree, index: SiteIndex, from_rel: str = START_PAGE) -> str:
    """The whole tree left to right, above the outline that is its text version."""
    root = tree_nodes(tree, index, from_rel)
    results = len(tree.results())
    label = f"决策树：从「{tree.start['title']}」出发，{len(tree.nodes) - results} 个问题、{results} 条建议。文字版见图下的大纲。"
    picture = svg.render_tree_svg(root, label)
    return (
        '<figure class="kb-dt" data-search-exclude="true">'
        f'<div class="kb-dt__scroll" tabindex="0" role="region" aria-label="决策树的图（可滚动）">{picture}</div>'
        '<figcaption>问题（粗体）→ 回答（灰色）→ 下一个问题或建议；点任何一格都能直接打开那一步。文字版见下面的大纲。</figcaption></figure>'
    )


def render_node(tree: Tree, node_id: str, index: SiteIndex, comparison_html=None) -> str:
    """The Markdown of one node page (HTML blocks; every data string escaped)."""
    node = tree.nodes[node_id]
    from_rel = tree.page(node_id)
    title = escape(_node_title(tree, node_id))
    description = node.get("summary") or node.get("explanation") or node["title"]
    out = [
        "---",
        # JSON strings are valid YAML. The title is HTML-escaped here because the
        # theme prints titles unescaped; the description is escaped by main.html.
        f"title: {json.dumps(title, ensure_ascii=False)}",
        f"description: {json.dumps(description, ensure_ascii=False)}",
        # In search, but below the pages that explain: a step page repeats their words.
        "search:",
        "  boost: 0.5",
        "---",
        "",
        f'<h1 id="top">{title}</h1>',
        "",
    ]
    if node.get("questions"):
        out += [render_questions(node["questions"], "这一步"), ""]
    if node.get("explanation"):
        out += [f'<p class="kb-nav-explain">{escape(node["explanation"])}</p>', ""]
    if node["kind"] == "question":
        out += ['<h2 id="options">选一个最接近你的情况</h2>', "", _options_html(tree, node_id, from_rel, index), ""]
    else:
        out += [f'<p class="kb-nav-summary"><strong>{escape(node["summary"])}</strong></p>', ""]
        reasons = "".join(f"<li>{escape(r)}</li>" for r in node["reasons"])
        answers = "".join(
            f"<li>{escape(tree.question(q)['options'][o]['label'])}</li>" for q, o in tree.trail(node_id)
        )
        out += [
            f'<section class="kb-why" aria-labelledby="why"><h2 id="why">根据你的回答</h2><p>你选了：</p><ul class="kb-why__answers">{answers}</ul><p>所以推荐这样做，因为：</p><ul>{reasons}</ul></section>',
            "",
        ]
        steps = "".join(f"<li>{escape(s)}</li>" for s in node["steps"])
        out += [f'<h2 id="first-steps">先做这几步</h2>', "", f'<ol class="kb-steps">{steps}</ol>', ""]
        for kind, label in LINK_KINDS:
            links = node.get(kind, [])
            if links:
                items = "".join(f'<li><a href="{escape(index.url(t, from_rel))}">{escape(index.label(t))}</a></li>' for t in links)
                out += [f'<h2 id="{kind}">{label}</h2>', "", f"<ul>{items}</ul>", ""]
        if node.get("platform"):
            platform = node["platform"]
            compare = comparison_html(platform["compare"], from_rel) if platform.get("compare") and comparison_html else ""
            out += [
                '<h2 id="platform">平台建议</h2>',
                "",
                f'<p><strong>{escape(PLATFORM_NAMES[platform["pick"]])}</strong>：{escape(platform["why"])} '
                f'<a href="{escape(index.url("platforms/wechat-vs-qq.md", from_rel))}">完整对比</a></p>',
                "",
            ]
            if compare:
                out += [compare, ""]
        qid, option = tree.parent[node_id]
        siblings = [o for i, o in enumerate(tree.question(qid)["options"]) if i != option]
        if siblings:
            items = "".join(
                f'<li><a href="{escape(index.url(tree.page(o["next"]), from_rel))}">{escape(o["label"])}</a></li>' for o in siblings
            )
            out += ['<h2 id="alternatives">如果你的情况不同</h2>', "", f'<ul class="kb-alternatives" data-search-exclude="true">{items}</ul>', ""]
        cites = "、".join(
            f'<a href="{escape(index.url(f"sources.md#src-{s}", from_rel))}">{escape(tree.source_names.get(s, s))}</a>' for s in node["sources"]
        )
        out += [f'<p class="kb-sources">依据的资料：{cites}</p>', ""]
    out += [_trail_html(tree, node_id, from_rel, index), ""]
    return "\n".join(out)


def render_start(tree: Tree, index: SiteIndex) -> str:
    start = tree.start
    explain = f'<p class="kb-nav-explain">{escape(start["explanation"])}</p>' if start.get("explanation") else ""
    return f'<div class="kb-nav-start"><h2 id="start">{escape(start["title"])}</h2>{explain}{_options_html(tree, START, START_PAGE, index)}</div>'


def render_overview(tree: Tree, index: SiteIndex, from_rel: str = START_PAGE) -> str:
    """The whole tree as a nested list of links, built at build time."""

    def branch(qid: str) -> str:
        items = []
        for option in tree.question(qid)["options"]:
            nid = option["next"]
            node = tree.nodes[nid]
            url = index.url(tree.page(nid), from_rel)
            mark = "建议" if node["kind"] == "result" else "问题"
            inner = branch(nid) if node["kind"] == "question" else ""
            items.append(
                f'<li><span class="kb-tree__answer">{escape(option["label"])}</span> → '
                f'<a href="{escape(url)}"><span class="kb-tree__kind">{mark}</span>{escape(node["title"])}</a>{inner}</li>'
            )
        return f"<ul>{''.join(items)}</ul>"

    # Every node has its own page in the index: the outline would only repeat them.
    return f'<div class="kb-tree" data-search-exclude="true">{branch(START)}</div>'
