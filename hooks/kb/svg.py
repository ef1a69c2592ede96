"""Pictures as inline SVG, laid out at build time: the mind map, the decision
tree, the reader's path through it, and the small diagrams of data/diagrams.yml.

No JavaScript library: text is real <text> (selectable, found by the browser's
find-in-page), every node is an <a> to the page and anchor that covers it,
colours come from CSS variables so Material's light and dark palettes apply.
Sizes are in user units, one CSS px each at a picture's natural width; a
picture shrinks to fit its container, but never so far that a label would be
under MIN_LABEL_PX (12 CSS px): below that its container scrolls sideways.

Layout never overlaps labels by construction: label widths are estimated
generously (CJK and full-width characters 1em, Latin letters and digits
0.6em), nodes of one depth share a column as wide as its widest label, and
siblings are stacked by the height of their whole subtree.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from html import escape
from typing import Callable

EM = 16  # user units per em of the page

#: Links in SVG use xlink:href, not href: Material's instant navigation rewrites
#: every relative [href] with `el.href = el.href`, which throws on an SVG <a>
#: (its href is read-only) and stops the page's scripts. xlink:href is not
#: matched by [href], and browsers follow it like href.
HREF = "xlink:href"


def char_em(ch: str) -> float:
    """Estimated advance of one character in em (an over-estimate for Latin)."""
    if ch == " ":
        return 0.35
    if unicodedata.east_asian_width(ch) in ("W", "F", "A"):
        return 1.0
    return 0.6


def text_em(text: str) -> float:
    return sum(char_em(ch) for ch in text)


_NO_LINE_START = set("，。、；：？！）」』》〉”’,.;:?!)")


def wrap(text: str, max_em: float) -> list[str]:
    """Break ``text`` into lines no wider than ``max_em``: between any CJK
    characters, between Latin words, never before closing punctuation."""
    tokens: list[str] = []
    word = ""
    for ch in text:
        if ch.isascii() and not ch.isspace() and ch not in ",.;:?!)":
            word += ch
            continue
        if word:
            tokens.append(word)
            word = ""
        tokens.append(ch)
    if word:
        tokens.append(word)
    lines: list[str] = []
    line = ""
    for token in tokens:
        if line and text_em(line + token) > max_em and token not in _NO_LINE_START and not token.isspace():
            lines.append(line.rstrip())
            line = token
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


# --- A tree laid out left to right ------------------------------------------------


@dataclass
class Node:
    text: str
    href: str | None = None
    cls: str = ""
    children: list["Node"] = field(default_factory=list)
    # filled by layout()
    lines: list[str] = field(default_factory=list)
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    depth: int = 0
    sub: float = 0.0  # mind map: height of the subtree
    top: float = 0.0  # mind map: the node's top within its subtree

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Style:
    size: float = 14  # font size in user units
    line: float = 19  # line height
    max_em: float = 11  # wrap labels at this width (in em of the label font)
    gap_x: float = 28  # between a column's widest label and the next column
    gap_y: float = 7  # between sibling subtrees
    pad: float = 4  # below the text, where the underline runs


def layout(root: Node, style: Style) -> tuple[float, float]:
    """Place every node (top-aligned to its first child); return (width, height)."""
    cols: dict[int, float] = {}
    for node in _with_depth(root, 0):
        node.lines = wrap(node.text, style.max_em)
        node.w = max(text_em(line) for line in node.lines) * style.size
        node.h = len(node.lines) * style.line + style.pad
        cols[node.depth] = max(cols.get(node.depth, 0.0), node.w)
    xs = [0.0]
    for d in range(1, len(cols)):
        xs.append(xs[-1] + cols[d - 1] + style.gap_x)

    def place(node: Node, top: float) -> float:
        node.x, node.y = xs[node.depth], top
        if not node.children:
            return node.h
        y = top
        for child in node.children:
            y += place(child, y) + style.gap_y
        return max(node.h, y - style.gap_y - top)

    height = place(root, 0.0)
    return xs[-1] + cols[len(cols) - 1], height


def _with_depth(node: Node, depth: int):
    node.depth = depth
    yield node
    for child in node.children:
        yield from _with_depth(child, depth + 1)


def _label(node: Node, style: Style, focusable: bool = False) -> str:
    """One node: its lines as <tspan>s, in an <a> when it links somewhere."""
    x = fmt(node.x)
    spans = "".join(
        f'<tspan x="{x}" y="{fmt(node.y + (i + 1) * style.line - (style.line - style.size) / 2 - 2)}">{escape(line)}</tspan>'
        for i, line in enumerate(node.lines)
    )
    cls = f' class="{node.cls}"' if node.cls else ""
    text = f"<text{cls}>{spans}</text>"
    if not node.href:
        return text
    tab = "" if focusable else ' tabindex="-1"'
    return f'<a {HREF}="{escape(node.href)}"{tab}>{text}</a>'


def _underline(node: Node) -> str:
    return f"M{fmt(node.x)} {fmt(node.y + node.h)}h{fmt(node.w)}"


def _connector(parent: Node, child: Node) -> str:
    x1, y1 = parent.x + parent.w, parent.y + parent.h
    x2, y2 = child.x, child.y + child.h
    mid = (x1 + x2) / 2 if x2 - x1 > 0 else x1
    if abs(y2 - y1) < 0.5:
        return f"M{fmt(x1)} {fmt(y1)}H{fmt(x2)}"
    return f"M{fmt(x1)} {fmt(y1)}C{fmt(mid)} {fmt(y1)} {fmt(mid)} {fmt(y2)} {fmt(x2)} {fmt(y2)}"


def _tree_body(root: Node, style: Style, skip_root: bool = False) -> tuple[str, str, str]:
    """(labels, underline path data, connector path data) of a laid-out tree."""
    labels, under, links = [], [], []
    for node in root.walk():
        if skip_root and node is root:
            continue
        labels.append(_label(node, style))
        under.append(_underline(node))
        for child in node.children:
            links.append(_connector(node, child))
    return "".join(labels), "".join(under), "".join(links)


#: No label of a picture is drawn smaller than this many CSS px: a picture
#: fits its container down to that scale and scrolls sideways below it.
MIN_LABEL_PX = 12


def _svg(width: float, height: float, cls: str, label: str, body: str, *, ident: str, size: float, desc: str = "", smallest: float | None = None) -> str:
    """The <svg> element: natural width one CSS px per unit, fits its container
    but never below the width at which its ``smallest`` text (default ``size``)
    is MIN_LABEL_PX (the container scrolls then)."""
    desc_el = f'<desc id="{ident}-desc">{escape(desc)}</desc>' if desc else ""
    described = f' aria-describedby="{ident}-desc"' if desc else ""
    floor = min(width, width * MIN_LABEL_PX / (smallest or size))
    return (
        f'<svg class="{cls}" viewBox="0 0 {fmt(width)} {fmt(height)}" width="{fmt(width)}" height="{fmt(height)}"'
        f' font-size="{fmt(size)}" style="width:{fmt(width)}px;min-width:{fmt(floor)}px" role="img" aria-labelledby="{ident}-title"{described}'
        f' xmlns="http://www.w3.org/2000/svg"><title id="{ident}-title">{escape(label)}</title>{desc_el}{body}</svg>'
    )


# --- The mind map ---------------------------------------------------------------------
#
# Why our own SVG and not a library such as markmap (markmap-view): markmap-view
# draws in the browser with the whole of d3 7 beside it (its browser build
# expects the global d3, about 280 KB minified), so the page would ship a few
# hundred KB of JavaScript and lay out 300 nodes on the reader's phone before
# showing anything, and the build would need a bundling step from npm. What
# readers expect of markmap (fold any node, drag, wheel and pinch zoom, open a
# node's page) is a few hundred lines on top of a tree laid out here: the page
# carries real <text> (find in page, works without JavaScript), mindmap.js is
# about 4 KB gzip and loads on /mindmap/ only, and folding re-places nodes with
# the same arithmetic from the sizes written below (no measuring in the page).
#
# Each node is a <g class="kb-mm__n"> placed relative to its parent, with its
# size in data-w/data-h and its children in <g class="kb-mm__kids">; the
# connector to its parent is in its own group. mindmap.js re-places the groups
# when a node folds (mm_place below is the same layout).

MIND_STYLE = Style(size=14, line=19, max_em=11, gap_x=26, gap_y=6)
MIND_ROOT = Style(size=18, line=24, max_em=14)
MM_GO = 20  # room after a label for its 「↗」 link to the node's page
MM_GAP_X = 30  # from the end of a node's underline to its children
MM_GAP_Y = 8  # between sibling subtrees


def mindmap_tree(data: dict, url: Callable[[str], str]) -> list[Node]:
    def convert(node: dict) -> Node:
        return Node(node["text"], url(node["link"]), children=[convert(c) for c in node.get("children", [])])

    return [convert(child) for child in data["children"]]


def _mm_measure(node: Node, style: Style) -> None:
    node.lines = wrap(node.text, style.max_em)
    node.w = max(text_em(line) for line in node.lines) * style.size + MM_GO
    node.h = len(node.lines) * style.line + style.pad


def mm_place(node: Node) -> float:
    """Place ``node``'s children relative to it (x, y of each child are offsets
    from its parent's top-left); the node is centred on its children's block.
    Returns the height of the subtree. Same arithmetic as mindmap.js."""
    if not node.children:
        node.sub = node.h
        node.top = 0.0
        return node.h
    heights = [mm_place(child) for child in node.children]
    block = sum(heights) + MM_GAP_Y * (len(heights) - 1)
    node.sub = max(node.h, block)
    own = (node.sub - node.h) / 2  # the node's top within its subtree
    y = (node.sub - block) / 2
    for child, h in zip(node.children, heights):
        child.x = node.w + MM_GAP_X
        child.y = y + child.top - own
        y += h + MM_GAP_Y
    node.top = own
    return node.sub


def _mm_node(node: Node, ident: str, style: Style, parent: Node | None, colour: str) -> str:
    """One node as few elements as will do (the page carries 300 of them): its
    group, one path (the curve from its parent, then its underline), its text,
    the 「↗」 link, and for a node with children the fold dot and their group."""
    spans = "".join(
        f'<tspan x="0" y="{fmt((i + 1) * style.line - (style.line - style.size) / 2 - 2)}">{escape(line)}</tspan>'
        for i, line in enumerate(node.lines)
    )
    text_w = node.w - MM_GO
    if parent is not None:
        sx, sy = -MM_GAP_X, parent.h - node.y
        mid = sx / 2
        line = f'<path class="kb-mm__link" d="M{fmt(sx)} {fmt(sy)}C{fmt(mid)} {fmt(sy)} {fmt(mid)} {fmt(node.h)} 0 {fmt(node.h)}h{fmt(node.w)}"/>'
    else:
        line = f'<path class="kb-mm__link" d="M0 {fmt(node.h)}h{fmt(node.w)}"/>'
    go = ""
    if node.href:
        go = f'<a {HREF}="{escape(node.href)}" class="kb-mm__go" tabindex="-1"><text x="{fmt(text_w + 9)}" y="{fmt(style.line / 2 + 5.5)}" text-anchor="middle">↗</text></a>'
    kids = ""
    if node.children:
        kids = f'<circle class="kb-mm__fold" cx="{fmt(node.w)}" cy="{fmt(node.h)}" r="4"/><g class="kb-mm__kids">' + "".join(
            _mm_node(child, f"{ident}-{i}" if ident else str(i), MIND_STYLE, node, "" if ident else f" kb-mm--c{i % 6}")
            for i, child in enumerate(node.children)
        ) + "</g>"
    cls = f"kb-mm__n{colour}" + (" kb-mm__root" if parent is None else "")
    return (
        f'<g class="{cls}" data-id="{ident or "root"}" data-w="{fmt(node.w)}" data-h="{fmt(node.h)}"'
        f' transform="translate({fmt(node.x)} {fmt(node.y)})">{line}<text class="kb-mm__text">{spans}</text>{go}{kids}</g>'
    )


def render_mindmap_svg(title: str, branches: list[Node], root_href: str) -> str:
    """The whole map, every node unfolded (as it shows without JavaScript):
    the root on the left, each node's children to its right, centred on it."""
    root = Node(title, root_href, children=branches)
    _mm_measure(root, MIND_ROOT)
    for node in root.walk():
        if node is not root:
            _mm_measure(node, MIND_STYLE)
    height = mm_place(root)
    root.x, root.y = 2.0, root.top + 2

    def right(node: Node, x: float) -> float:
        return max([x + node.w] + [right(c, x + c.x) for c in node.children])

    width = right(root, root.x)
    body = _mm_node(root, "", MIND_ROOT, None, "")
    count = sum(1 for _ in root.walk()) - 1
    label = f"思维导图「{title}」：{len(branches)} 个分支，共 {count} 个节点。文字版见图下的大纲。"
    return _svg(width + 4, height + 4, "kb-mm__svg", label, body, ident="kb-mm", size=MIND_STYLE.size)


# --- The decision tree ---------------------------------------------------------------

TREE_STYLE = Style(size=13, line=17, max_em=10, gap_x=30, gap_y=8)


def render_tree_svg(root: Node, label: str, ident: str = "kb-dt") -> str:
    """The decision tree left to right: questions, then results; each box's
    first line (muted) is the answer that leads to it."""
    style = TREE_STYLE
    width, height = layout(root, style)
    labels, under, links = _tree_body(root, style)
    body = f'<path class="kb-dt__line" d="{links}"/><path class="kb-dt__under" d="{under}"/>{labels}'
    return _svg(width + 2, height + 4, "kb-dt__svg", label, body, ident=ident, size=style.size)


def render_path_svg(steps: list[tuple[str, str | None, str]], label: str, ident: str = "kb-path") -> str:
    """The reader's path, top to bottom: (question or result, its URL, answer
    chosen); the last step is where the reader is."""
    size, line, max_em, width_em = 13, 17, 16, 17
    box_w = width_em * size
    y = 0.0
    out = []
    for n, (text, href, answer) in enumerate(steps):
        here = n == len(steps) - 1
        lines = wrap(("你在这里：" if here else "") + text, max_em)
        h = len(lines) * line + 10
        cls = "kb-path__here" if here else "kb-path__step"
        spans = "".join(f'<tspan x="8" y="{fmt(y + 5 + (i + 1) * line - 4)}">{escape(t)}</tspan>' for i, t in enumerate(lines))
        box = f'<rect class="{cls}" x="0.5" y="{fmt(y + .5)}" width="{fmt(box_w + 16)}" height="{fmt(h)}" rx="4"/><text>{spans}</text>'
        out.append(f'<a {HREF}="{escape(href)}" tabindex="-1">{box}</a>' if href and not here else box)
        y += h
        if answer is not None:
            a_lines = wrap("选了：" + answer, max_em - 1)
            out.append(f'<path class="kb-path__arrow" d="M14 {fmt(y + 1)}V{fmt(y + len(a_lines) * line + 8)}m-4 -5l4 5l4 -5"/>')
            spans = "".join(f'<tspan x="26" y="{fmt(y + (i + 1) * line)}">{escape(t)}</tspan>' for i, t in enumerate(a_lines))
            out.append(f'<text class="kb-path__answer">{spans}</text>')
            y += len(a_lines) * line + 10
    return _svg(box_w + 18, y + 2, "kb-path__svg", label, "".join(out), ident=ident, size=size)


# --- Small diagrams (data/diagrams.yml) -----------------------------------------------

D_SIZE, D_LINE = 15, 20
D_NOTE = D_SIZE * 0.85  # notes under a stage (.kb-dg__note: 12.75px in extra.css)


def _text_block(lines: list[str], cx: float, top: float, cls: str = "") -> str:
    c = f' class="{cls}"' if cls else ""
    spans = "".join(f'<tspan x="{fmt(cx)}" y="{fmt(top + (i + 1) * D_LINE - 5)}">{escape(t)}</tspan>' for i, t in enumerate(lines))
    return f'<text text-anchor="middle"{c}>{spans}</text>'


def _linked(inner: str, href: str | None) -> str:
    return f'<a {HREF}="{escape(href)}" tabindex="-1">{inner}</a>' if href else inner


def _panel_stages(panel: dict, url) -> tuple[float, float, str]:
    items = panel["items"]
    max_em = 5
    wrapped = [wrap(item["label"], max_em) for item in items]
    notes = [wrap(item.get("note", ""), 6) if item.get("note") else [] for item in items]
    box_w = max(max(text_em(t) for t in lines) for lines in wrapped) * D_SIZE + 20
    note_w = max([max(text_em(t) for t in n) * D_SIZE * 0.85 for n in notes if n] + [0])
    step = max(box_w, note_w) + 26
    box_h = max(len(lines) for lines in wrapped) * D_LINE + 14
    note_h = max([len(n) for n in notes] + [0]) * D_LINE * 0.85
    out = []
    for i, (item, lines) in enumerate(zip(items, wrapped)):
        x = i * step
        cx = x + box_w / 2
        box = f'<rect class="kb-dg__box" x="{fmt(x)}" y="0" width="{fmt(box_w)}" height="{fmt(box_h)}" rx="6"/>' + _text_block(lines, cx, (box_h - len(lines) * D_LINE) / 2 + 2)
        out.append(_linked(box, url(item.get("link"))))
        if notes[i]:
            spans = "".join(f'<tspan x="{fmt(cx)}" y="{fmt(box_h + 4 + (j + 1) * D_LINE * .85 - 4)}">{escape(t)}</tspan>' for j, t in enumerate(notes[i]))
            out.append(f'<text class="kb-dg__note" text-anchor="middle">{spans}</text>')
        if i < len(items) - 1:
            ax = x + box_w + 3
            out.append(f'<path class="kb-dg__arrow" d="M{fmt(ax)} {fmt(box_h / 2)}h{fmt(step - box_w - 6)}m-6 -5l6 5l-6 5"/>')
    return (len(items) - 1) * step + box_w, box_h + (note_h + 8 if note_h else 0), "".join(out)


def _node_circle(label: str, cx: float, cy: float, r: float, href, cls="kb-dg__node") -> str:
    lines = wrap(label, 2 * r / D_SIZE - 0.6)
    top = cy - len(lines) * D_LINE / 2
    return _linked(f'<circle class="{cls}" cx="{fmt(cx)}" cy="{fmt(cy)}" r="{fmt(r)}"/>' + _text_block(lines, cx, top), href)


def _node_r(labels: list[str]) -> float:
    longest = max(text_em(t) for t in labels)
    return max(22.0, min(longest, 4) * D_SIZE / 2 + 10)


def _panel_ring(panel: dict, url) -> tuple[float, float, str]:
    """Members around a circle, each linked to its neighbours: everyone equal."""
    import math

    members = panel["members"]
    r = _node_r([m["label"] for m in members])
    n = len(members)
    ring_r = max(r * 2.6, (2 * r + 16) * n / (2 * math.pi))
    c = ring_r + r + 2
    pts = [(c + ring_r * math.sin(2 * math.pi * i / n), c - ring_r * math.cos(2 * math.pi * i / n)) for i in range(n)]
    edges = "".join(f"M{fmt(a[0])} {fmt(a[1])}L{fmt(b[0])} {fmt(b[1])}" for i, a in enumerate(pts) for b in pts[i + 1:])
    out = [f'<path class="kb-dg__edge" d="{edges}"/>']
    for m, (x, y) in zip(members, pts):
        out.append(_node_circle(m["label"], x, y, r, url(m.get("link"))))
    return 2 * c, 2 * c, "".join(out)


def _panel_hierarchy(panel: dict, url) -> tuple[float, float, str]:
    """A tree drawn top-down (the pyramid: few at the top, many below)."""
    root = panel["root"]
    levels: list[list[tuple[dict, int | None]]] = []

    def collect(node: dict, depth: int, parent: int | None) -> None:
        while len(levels) <= depth:
            levels.append([])
        levels[depth].append((node, parent))
        me = len(levels[depth]) - 1
        for child in node.get("children", []):
            collect(child, depth + 1, me)

    collect(root, 0, None)
    max_em = 5.2
    widths = [[max(text_em(t) for t in wrap(n["label"], max_em)) * D_SIZE + 14 for n, _p in level] for level in levels]
    box_h = max(len(wrap(n["label"], max_em)) for level in levels for n, _p in level) * D_LINE + 10
    # Leaves spread evenly; parents centred over their children.
    slot = max(w for level in widths for w in level) + 10
    xs: list[list[float]] = [[0.0] * len(level) for level in levels]
    for i in range(len(levels[-1])):
        xs[-1][i] = i * slot
    for d in range(len(levels) - 2, -1, -1):
        cursor = 0.0
        for i, (_node, _p) in enumerate(levels[d]):
            kids = [xs[d + 1][j] for j, (_n, p) in enumerate(levels[d + 1]) if p == i]
            xs[d][i] = (min(kids) + max(kids)) / 2 if kids else cursor
            cursor = xs[d][i] + slot
    width = max(x for row in xs for x in row) + slot
    gap = 26
    out = []
    edges = []
    for d, level in enumerate(levels):
        top = d * (box_h + gap)
        for i, (node, parent) in enumerate(level):
            cx = xs[d][i] + slot / 2
            w = widths[d][i]
            lines = wrap(node["label"], max_em)
            box = f'<rect class="kb-dg__box kb-dg__lv{min(d, 3)}" x="{fmt(cx - w / 2)}" y="{fmt(top)}" width="{fmt(w)}" height="{fmt(box_h)}" rx="5"/>' + _text_block(lines, cx, top + (box_h - len(lines) * D_LINE) / 2 + 2)
            out.append(_linked(box, url(node.get("link"))))
            if parent is not None:
                px = xs[d - 1][parent] + slot / 2
                edges.append(f"M{fmt(px)} {fmt(top - gap)}L{fmt(cx)} {fmt(top)}")
    return width, len(levels) * (box_h + gap) - gap, f'<path class="kb-dg__edge" d="{"".join(edges)}"/>' + "".join(out)


def _panel_hub(panel: dict, url) -> tuple[float, float, str]:
    """One centre (the group) with items around it (the roles)."""
    import math

    items = panel["items"]
    r = _node_r([i["label"] for i in items])
    n = len(items)
    centre = panel["centre"]
    cr = _node_r([centre["label"]]) + 6
    ring_r = max(cr + r + 34, (2 * r + 18) * n / (2 * math.pi))
    c = ring_r + r + 2
    pts = [(c + ring_r * math.sin(2 * math.pi * i / n), c - ring_r * math.cos(2 * math.pi * i / n)) for i in range(n)]
    # Spokes from the rim of the centre, so no line crosses its label.
    edges = "".join(f"M{fmt(c + (x - c) * cr / ring_r)} {fmt(c + (y - c) * cr / ring_r)}L{fmt(x)} {fmt(y)}" for x, y in pts)
    out = [f'<path class="kb-dg__edge" d="{edges}"/>', _node_circle(centre["label"], c, c, cr, url(centre.get("link")), "kb-dg__node kb-dg__centre")]
    for item, (x, y) in zip(items, pts):
        out.append(_node_circle(item["label"], x, y, r, url(item.get("link"))))
    return 2 * c, 2 * c, "".join(out)


PANELS = {"stages": _panel_stages, "ring": _panel_ring, "hierarchy": _panel_hierarchy, "hub": _panel_hub}


def render_diagram_svg(diagram: dict, url: Callable[[str | None], str | None]) -> str:
    """Panels side by side, each with its title above it."""
    x = 0.0
    height = 0.0
    out = []
    title_h = D_LINE + 10
    for panel in diagram["panels"]:
        w, h, body = PANELS[panel["kind"]](panel, url)
        w = max(w, text_em(panel.get("title", "")) * D_SIZE)
        title = _text_block([panel["title"]], w / 2, 0, "kb-dg__title") if panel.get("title") else ""
        out.append(f'<g transform="translate({fmt(x)} 0)">{title}<g transform="translate(0 {fmt(title_h if title else 0)})">{body}</g></g>')
        height = max(height, h + (title_h if title else 0))
        x += w + 40
    width = x - 40
    return _svg(width + 2, height + 2, "kb-dg__svg", diagram["title"], "".join(out), ident=f"kb-dg-{diagram['id']}", size=D_SIZE, desc=diagram["alt"], smallest=D_NOTE)
