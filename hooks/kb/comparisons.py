"""Comparison tables (微信群 vs QQ群 and others) from YAML: load, check, render."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

from .errors import DataError
from .markers import Marker
from .pages import SiteIndex
from .yamlio import Lines, load_schema, load_yaml, validate_schema

SHOW = ("both", "summary", "table")
STATE_CLASS = {"有": "yes", "无": "no", "部分": "partial", "未知": "unknown"}


@dataclass
class Comparison:
    data: dict
    file: str
    lines: Lines

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def columns(self) -> list[dict]:
        return self.data["columns"]

    def dimensions(self) -> list[tuple[dict, dict]]:
        """(group, dimension) pairs in file order."""
        return [(group, dim) for group in self.data["groups"] for dim in group["dimensions"]]

    def dimension_ids(self) -> list[str]:
        return [dim["id"] for _group, dim in self.dimensions()]


def comparison_files(data_dir: Path) -> list[Path]:
    files = [data_dir / "platforms.yml"] if (data_dir / "platforms.yml").exists() else []
    return files + sorted((data_dir / "comparisons").glob("*.yml"))


def load_comparison(path: Path, rel: str, schema: dict, sources: dict[str, dict]) -> Comparison:
    data, lines = load_yaml(path, rel)
    validate_schema(data, schema, rel, lines)
    comparison = Comparison(data, rel, lines)
    check_comparison(comparison, sources)
    return comparison


def check_comparison(comparison: Comparison, sources: dict[str, dict]) -> None:
    """Meaning after schema: unique ids, a cell for every column, known sources."""
    rel, lines, data = comparison.file, comparison.lines, comparison.data
    column_ids = [c["id"] for c in data["columns"]]

    def fail(message: str, fix: str, path: tuple, zh: str | None = None, zh_fix: str | None = None) -> None:
        raise DataError(rel, message, fix=fix, path=path, line=lines.near(path), zh=zh, zh_fix=zh_fix, column=lines.column(path))

    for i, cid in enumerate(column_ids):
        if column_ids.index(cid) != i:
            fail(f"the column id '{cid}' is used twice", "give each column its own id", ("columns", i, "id"), f"列 id「{cid}」用了两次", "每一列用自己的 id")
    seen_groups: set[str] = set()
    seen_dims: set[str] = set()
    for g, group in enumerate(data["groups"]):
        if group["id"] in seen_groups:
            fail(f"the group id '{group['id']}' is used twice", "give each group its own id", ("groups", g, "id"), f"分组 id「{group['id']}」用了两次", "每个分组用自己的 id")
        seen_groups.add(group["id"])
        for d, dim in enumerate(group["dimensions"]):
            base = ("groups", g, "dimensions", d)
            if dim["id"] in seen_dims:
                fail(f"the dimension id '{dim['id']}' is used twice", "dimension ids must be unique in the file; pages embed them by id", base + ("id",), f"维度 id「{dim['id']}」用了两次", "同一个文件里维度 id 不能重复：页面靠它嵌入这一行")
            seen_dims.add(dim["id"])
            for cid in dim["cells"]:
                if cid not in column_ids:
                    fail(f"the cell '{cid}' names no column", "use one of the column ids: " + ", ".join(column_ids), base + ("cells", cid), f"格子「{cid}」不对应任何一列", "用列 id 之一：" + "、".join(column_ids))
            for cid in column_ids:
                if cid not in dim["cells"]:
                    fail(f"the dimension '{dim['id']}' has no cell for column '{cid}'", f"add 'cells: {cid}:' with a value; if the sources say nothing, write value: 资料未提及 and state: 未知", base + ("cells",), f"维度「{dim['id']}」缺少「{cid}」这一列的格子", f"在 cells 下加「{cid}:」并写上 value；资料没说的写 value: 资料未提及 和 state: 未知")
            for cid, cell in dim["cells"].items():
                path = base + ("cells", cid)
                if "source" in cell and cell["source"] not in sources:
                    fail(f"unknown source '{cell['source']}'", "use one of the ids in data/sources.yml: " + ", ".join(sorted(sources)), path + ("source",), f"没有编号为「{cell['source']}」的资料", "用 data/sources.yml 里的编号之一：" + "、".join(sorted(sources)))
                if "source" not in cell and "outside" not in cell and cell.get("state") != "未知":
                    fail("the cell has no source", "add source: \"00x\" naming where the fact comes from, outside: {name, url, as_of} for a named public source beyond the five files, or mark it state: 未知", path, "这个格子没写出处", "加 source: \"00x\" 写明出自哪份资料；五份资料以外的公开出处写 outside: {name, url, as_of}；都没有就标 state: 未知")
            for p, pick in enumerate(dim["verdict"]["pick"]):
                if pick not in column_ids:
                    fail(f"the verdict picks '{pick}', which is not a column", "use column ids: " + ", ".join(column_ids), base + ("verdict", "pick", p), f"结论选了「{pick}」，但没有这一列", "用列 id：" + "、".join(column_ids))
                if pick in dim["cells"] and not is_known(dim["cells"][pick]):
                    fail(f"the verdict picks '{pick}', whose cell is 未知", "a recommendation cannot rest on a cell nobody knows: fill the cell from a source (source: or outside:) or take the column out of pick", base + ("verdict", "pick", p), f"结论选了「{pick}」，可这一格是「未知」", "推荐不能建立在没人知道的格子上：给这一格补上出处（source: 或 outside:），或者把这一列从 pick 里去掉")


def check_marker(marker: Marker, comparisons: dict[str, Comparison], file: str) -> None:
    """``<!-- kb:comparison ID [dims=a,b] -->``: the id and every dim must exist."""
    ids = marker.positional()
    unknown_args = set(marker.kwargs()) - {"dims", "show"}
    if len(ids) != 1 or unknown_args:
        raise DataError(file, "the comparison marker needs exactly one table id, and optionally dims=a,b and show=summary|table", fix="write <!-- kb:comparison wechat-vs-qq --> or <!-- kb:comparison wechat-vs-qq dims=search-join,fit -->", line=marker.line, zh="对比表标记要写一个表 id，可以再加 dims=a,b 和 show=summary|table", zh_fix="写成 <!-- kb:comparison wechat-vs-qq --> 或 <!-- kb:comparison wechat-vs-qq dims=search-join,fit -->")
    if marker.kwargs().get("show", "both") not in SHOW:
        raise DataError(file, f"show={marker.kwargs()['show']} is not known", fix="use show=summary, show=table or leave it out for both", line=marker.line, zh=f"不认识 show={marker.kwargs()['show']}", zh_fix="用 show=summary 或 show=table，两种都要就不写")
    if ids[0] not in comparisons:
        raise DataError(file, f"there is no comparison '{ids[0]}'", fix="use one of: " + ", ".join(sorted(comparisons)), line=marker.line, zh=f"没有 id 为「{ids[0]}」的对比表", zh_fix="用其中之一：" + "、".join(sorted(comparisons)))
    dims = marker.kwargs().get("dims")
    if dims is not None:
        known = comparisons[ids[0]].dimension_ids()
        for dim in dims.split(","):
            if dim not in known:
                raise DataError(file, f"the comparison '{ids[0]}' has no dimension '{dim}'", fix="use dimension ids from its data file: " + ", ".join(known), line=marker.line, zh=f"对比表「{ids[0]}」里没有维度「{dim}」", zh_fix="用它数据文件里的维度 id：" + "、".join(known))


def marker_anchors(marker: Marker, comparisons: dict[str, Comparison]) -> set[str]:
    """The row and group ids a (checked) marker puts on its page, for links to them."""
    comparison = comparisons[marker.positional()[0]]
    if marker.kwargs().get("show") == "summary":
        return set()
    dims = marker.kwargs().get("dims")
    wanted = set(dims.split(",")) if dims else None
    anchors = set()
    for group, dim in comparison.dimensions():
        if wanted is None or dim["id"] in wanted:
            anchors.add(f"{comparison.id}-{dim['id']}")
            anchors.add(f"{comparison.id}-group-{group['id']}")
    return anchors


def _cell_html(cell: dict, sources: dict[str, dict], source_url) -> str:
    state = cell.get("state")
    badge = f'<span class="kb-state kb-state--{STATE_CLASS[state]}">{escape(state)}</span> ' if state else ""
    parts = [f'{badge}<span class="kb-cell__value">{escape(cell["value"])}</span>']
    if cell.get("note"):
        parts.append(f'<span class="kb-cell__note">{escape(cell["note"])}</span>')
    if cell.get("as_of"):
        parts.append(f'<span class="kb-cell__asof">截至：{escape(cell["as_of"])}</span>')
    if cell.get("outside"):
        parts.append(_outside_html(cell["outside"]))
    if cell.get("source"):
        sid = cell["source"]
        # No title attribute: Material's tooltips would mount one component per cell.
        parts.append(f'<a class="kb-cite" href="{escape(source_url(sid))}" aria-label="来源：{escape(sources[sid]["name"])}《{escape(sources[sid]["title"])}》">[{escape(sources[sid]["name"])}]</a>')
    return " ".join(parts)


def _outside_html(outside: dict) -> str:
    """A citation beyond the five source files: named, dated, linked if it has a URL."""
    name = escape(outside["name"])
    if outside.get("url"):
        name = f'<a href="{escape(outside["url"])}" rel="noopener noreferrer">{name}</a>'
    # a citation, not content: kept out of search (its English title matched English queries)
    return f'<span class="kb-cell__outside" data-search-exclude>来源文件之外：{name}（截至 {escape(outside["as_of"])}）</span>'


@dataclass
class Choice:
    """What 「怎么选」 may say about one dimension, computed from known cells only.

    ``picks`` are the verdict's columns whose cells are known; ``over`` the known
    columns they are compared with; ``unknown`` the columns marked 未知. A verdict
    with no known column to compare against recommends nothing: a platform is
    never recommended because the other one is unknown.
    """

    dim: dict
    picks: list[str]
    over: list[str]
    unknown: list[str]

    @property
    def rests_on_unknown(self) -> bool:
        """Nothing known is left to compare: a pick with no known alternative, or a
        「差别不大」 with fewer than two known columns."""
        if self.dim["verdict"]["pick"]:
            return not self.picks
        return len(self.over) < 2


def is_known(cell: dict) -> bool:
    return cell.get("state") != "未知"


def choose(comparison: Comparison, dim: dict) -> Choice:
    column_ids = [c["id"] for c in comparison.columns]
    unknown = [cid for cid in column_ids if not is_known(dim["cells"][cid])]
    picks = [cid for cid in dim["verdict"]["pick"] if cid not in unknown]
    over = [cid for cid in column_ids if cid not in picks and cid not in unknown]
    if not over:
        picks = []
    return Choice(dim, picks, over, unknown)


def unknown_rows(comparison: Comparison, dims: list[str] | None = None) -> list[tuple[dict, list[str]]]:
    """(dimension, columns marked 未知) for every row with an unknown cell."""
    rows = []
    for _group, dim in comparison.dimensions():
        if dims is not None and dim["id"] not in dims:
            continue
        unknown = choose(comparison, dim).unknown
        if unknown:
            rows.append((dim, unknown))
    return rows


def render_summary(comparison: Comparison, dims: list[str] | None = None) -> str:
    """「怎么选」: for each column, the needs whose verdict picks it, from known cells only."""
    names = {c["id"]: c["name"] for c in comparison.columns}
    needs: dict[str, list[Choice]] = {c["id"]: [] for c in comparison.columns}
    ties: list[Choice] = []
    open_rows: list[Choice] = []
    for _group, dim in comparison.dimensions():
        if dims is not None and dim["id"] not in dims:
            continue
        choice = choose(comparison, dim)
        if choice.rests_on_unknown:
            open_rows.append(choice)
        elif not choice.picks:
            ties.append(choice)
        for pick in choice.picks:
            needs[pick].append(choice)

    def caveat(choice: Choice) -> str:
        if not choice.unknown:
            return ""
        return f'<span class="kb-choose__caveat">（{escape("、".join(names[c] for c in choice.unknown))}这一项没有可靠说法，没算进比较）</span>'

    def item(choice: Choice, text: str) -> str:
        return f'<li data-dim="{escape(choice.dim["id"])}">{text}{caveat(choice)}</li>'

    items = []
    for cid, chosen in needs.items():
        if not chosen:
            continue
        reasons = "".join(item(c, f'{escape(c.dim["verdict"]["need"])}：{escape(c.dim["verdict"]["why"])}') for c in chosen)
        items.append(f'<div class="kb-choose__col" data-pick="{escape(cid)}"><h3 class="kb-choose__title">选{escape(names[cid])}，如果你需要：</h3><ul>{reasons}</ul></div>')
    if ties:
        reasons = "".join(item(c, f'{escape(c.dim["verdict"]["need"])}：{escape(c.dim["verdict"]["why"])}') for c in ties)
        items.append(f'<div class="kb-choose__col" data-pick=""><h3 class="kb-choose__title">差别不大的地方：</h3><ul>{reasons}</ul></div>')
    if open_rows:
        reasons = "".join(
            f'<li data-dim="{escape(c.dim["id"])}">{escape(c.dim["verdict"]["need"])}：{escape("、".join(names[u] for u in c.unknown))}这一项资料没有说、也没有找到可靠的公开出处，没法比较，本站不作推荐。</li>'
            for c in open_rows
        )
        items.append(f'<div class="kb-choose__col" data-pick="unknown"><h3 class="kb-choose__title">说不清的地方：</h3><ul>{reasons}</ul></div>')
    unknown = unknown_rows(comparison, dims)
    note = ""
    if unknown:
        listed = "；".join(f'{escape(dim["name"])}（{escape("、".join(names[c] for c in cols))}）' for dim, cols in unknown)
        note = f'<p class="kb-choose__unknown">标着「未知」的格子不参与上面的比较，它们在：{listed}。</p>'
    return f'<div class="kb-choose" role="group" aria-label="怎么选">{"".join(items)}</div>{note}'


def render_table(comparison: Comparison, sources: dict[str, dict], index: SiteIndex, from_rel: str, dims: list[str] | None = None, show: str = "both") -> str:
    """An accessible table: caption, scoped headers, one row group per group."""

    def source_url(sid: str) -> str:
        return index.url(f"sources.md#src-{sid}", from_rel)

    columns = comparison.columns
    head = "".join(f'<th scope="col">{escape(c["name"])}</th>' for c in columns)
    bodies = []
    for group in comparison.data["groups"]:
        rows = []
        for dim in group["dimensions"]:
            if dims is not None and dim["id"] not in dims:
                continue
            cells = "".join(
                f'<td data-label="{escape(c["name"])}">{_cell_html(dim["cells"][c["id"]], sources, source_url)}</td>' for c in columns
            )
            choice = choose(comparison, dim)
            if choice.rests_on_unknown:
                verdict = '<td class="kb-verdict" data-label="怎么选"><strong>说不清</strong>：资料和公开出处都不够，没法比较。</td>'
            else:
                picks = "、".join(escape(c["name"]) for c in columns if c["id"] in choice.picks) or "都可以"
                verdict = f'<td class="kb-verdict" data-label="怎么选"><strong>{picks}</strong>：{escape(dim["verdict"]["why"])}</td>'
            rows.append(f'<tr id="{escape(comparison.id)}-{escape(dim["id"])}"><th scope="row">{escape(dim["name"])}</th>{cells}{verdict}</tr>')
        if rows:
            span = len(columns) + 2
            bodies.append(
                f'<tbody><tr class="kb-group"><th scope="rowgroup" colspan="{span}" id="{escape(comparison.id)}-group-{escape(group["id"])}">{escape(group["name"])}</th></tr>{"".join(rows)}</tbody>'
            )
    # A subset repeats rows of the full table: keep it out of the search index.
    exclude = ' data-search-exclude="true"' if dims is not None else ""
    table = (
        f'<div class="kb-table-scroll kb-compare"{exclude} tabindex="0" role="region" aria-label="{escape(comparison.data["caption"])}（窄屏可横向滚动）">'
        f'<table class="kb-table kb-compare__table"><caption>{escape(comparison.data["caption"])}</caption>'
        f'<thead><tr><th scope="col">对比项</th>{head}<th scope="col">怎么选</th></tr></thead>{"".join(bodies)}</table></div>'
    )
    summary = render_summary(comparison, dims) if show in ("both", "summary") else ""
    return summary + (table if show in ("both", "table") else "")
