"""Scale: synthetic content in throwaway copies of the project, one new
process per case (a warm-up build of the real site first, then one measured
build): content pages copied 10x and 50x (in the nav or not), a decision tree
of 100 and 1,000 nodes, a comparison of 20 and 200 dimensions."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from common import PY, ROOT, copy_project, env_for, fmt_ms, fmt_s, hook_times, log, run_child, total

GOAL_SCALE_RATIO = 1.25  # per-page build time at 50x within 1.25x of 1x
# Content sections whose pages are copied to make the site bigger.
CONTENT_SECTIONS = ("basics/", "tactics/", "cases/", "checklists/", "platforms/")
LABELS = {
    "pages-1x": "内容页 ×1（真实站点的副本）",
    "pages-10x": "内容页 ×10，在 nav 里",
    "pages-10x-offnav": "内容页 ×10，不在 nav 里",
    "pages-50x-offnav": "内容页 ×50，不在 nav 里",
    "pages-50x": "内容页 ×50，在 nav 里",
}


NAV_ENTRY = re.compile(r"^(?P<indent>\s*)- (?:[^:\n]+:\s*)?(?P<path>[\w./-]+\.md)\s*$")


def nav_insert(mkdocs_text: str, after: dict[str, list[str]]) -> str:
    """Insert nav entries after existing ones (path -> new paths), keeping indentation."""
    out = []
    for line in mkdocs_text.splitlines(keepends=True):
        out.append(line)
        match = NAV_ENTRY.match(line.rstrip("\n"))
        if match and match.group("path") in after:
            out.extend(f"{match.group('indent')}- {new}\n" for new in after.pop(match.group("path")))
    if after:
        raise RuntimeError(f"nav entries not found in mkdocs.yml: {sorted(after)}")
    return "".join(out)


def content_sources(docs: Path) -> list[str]:
    """The non-index Markdown pages of the content sections (the ones copied)."""
    return sorted(
        p.relative_to(docs).as_posix()
        for p in docs.rglob("*.md")
        if p.relative_to(docs).as_posix().startswith(CONTENT_SECTIONS) and p.name != "index.md"
    )


def add_not_in_nav(mkdocs_text: str, pattern: str) -> str:
    if re.search(r"^not_in_nav:\s*\|\s*$", mkdocs_text, flags=re.M):
        return re.sub(r"^(not_in_nav:\s*\|\s*\n)", lambda m: m.group(1) + f"  {pattern}\n", mkdocs_text, count=1, flags=re.M)
    return mkdocs_text.rstrip("\n") + f"\nnot_in_nav: |\n  {pattern}\n"


def without_english(page: str) -> str:
    """The page without its front matter `en:` names: the search layer holds
    each English name to one page, and a copy would claim the same ones."""
    end = page.find("\n---", 3)
    head = re.sub(r"^en:.*\n(?:[ \t]+-.*\n)*", "", page[:end + 1], flags=re.M)
    return head + page[end + 1:]


def multiply_pages(project: Path, factor: int, in_nav: bool = True) -> int:
    """Copy each content page factor-1 times under new names (next to it in nav, or not in nav)."""
    docs = project / "docs"
    originals = content_sources(docs)
    cfg = project / "mkdocs.yml"
    text = cfg.read_text(encoding="utf-8")
    in_nav_now = set(m.group("path") for m in (NAV_ENTRY.match(line) for line in text.splitlines()) if m)
    after: dict[str, list[str]] = {}
    for rel in originals:
        source = (docs / rel).read_text(encoding="utf-8")
        for k in range(1, factor):
            new_rel = rel[: -len(".md")] + f"-x{k}.md"
            body = re.sub(r"^title: (.*)$", lambda m: f"title: {m.group(1)[:30]}（副本{k}）", without_english(source), count=1, flags=re.M)
            (docs / new_rel).write_text(body, encoding="utf-8")
            if rel in in_nav_now:
                after.setdefault(rel, []).append(new_rel)
    text = nav_insert(text, after) if in_nav else add_not_in_nav(text, "*-x[0-9]*.md")
    cfg.write_text(text, encoding="utf-8")
    return len(originals) * (factor - 1)


def _yaml_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def link_targets(project: Path) -> dict[str, list[str]]:
    docs = project / "docs"
    pages = content_sources(docs)
    return {
        "tactics": [p for p in pages if p.startswith("tactics/")],
        "checklists": [p for p in pages if p.startswith("checklists/")],
        "cases": [p for p in pages if p.startswith("cases/")],
    }


def platform_dims(project: Path) -> list[str]:
    import yaml

    data = yaml.safe_load((project / "data" / "platforms.yml").read_text(encoding="utf-8"))
    return [d["id"] for g in data["groups"] for d in g["dimensions"]]


def source_ids(project: Path) -> list[str]:
    import yaml

    data = yaml.safe_load((project / "data" / "sources.yml").read_text(encoding="utf-8"))
    return [s["id"] for s in data["sources"]]


def synthetic_tree(project: Path, n: int) -> str:
    """A valid decision tree of exactly n nodes (branching 3; the start takes 2-4)."""
    k0 = {0: 3, 1: 4, 2: 2}[n % 3]
    questions = (n - k0) // 3
    links = link_targets(project)
    dims = platform_dims(project)
    sources = source_ids(project)
    ids = [f"q{i}" if i < questions else f"r{i}" for i in range(n)]
    out = [
        "# yaml-language-server: $schema=schemas/decision_tree.schema.json",
        "# Synthetic tree written by bench/scale.py (not the site's real tree).",
        "start:",
        "  title: 你现在最需要解决哪一类问题？",
        "  explanation: 每一步选一个最接近你的情况。",
        "  options:",
    ]
    for j in range(k0):
        out += [f"    - label: 选项 {j + 1}", f"      hint: 起点的第 {j + 1} 种情况", f"      next: {ids[j]}"]
    out.append("nodes:")
    child = k0
    picks = ["wechat", "qq", "qq-discussion", "either"]
    for i, nid in enumerate(ids):
        if i < questions:
            out += [f"  - id: {nid}", "    kind: question", f"    title: 第 {i} 个问题：你的社群现在是什么情况？", "    explanation: 按最接近的情况选。", "    options:"]
            for j in range(3):
                out += [f"      - label: 情况 {j + 1}", f"        hint: 问题 {i} 的第 {j + 1} 种情况", f"        next: {ids[child]}"]
                child += 1
        else:
            out += [
                f"  - id: {nid}",
                "    kind: result",
                f"    title: 第 {i} 个建议",
                f"    summary: {_yaml_str(f'先做第 {i} 个建议里的三件事，再看相关战术。')}",
                "    reasons:",
                "      - 你的回答说明群还在早期，先定规矩比拉人更要紧。",
                "      - 资料里的案例都是先有核心成员再扩张。",
                "    steps:",
                "      - 写好群规并置顶。",
                "      - 请第一批种子用户入群。",
                "      - 安排第一场活动。",
            ]
            for kind in ("tactics", "checklists", "cases"):
                if links[kind]:
                    out += [f"    {kind}:"] + [f"      - {links[kind][(i + m) % len(links[kind])]}" for m in range(min(2, len(links[kind])))]
            if dims:
                out += ["    platform:", f"      pick: {picks[i % len(picks)]}", "      why: 资料里的对比支持这个选择。", "      compare:"]
                out += [f"        - {dims[(i + m) % len(dims)]}" for m in range(min(2, len(dims)))]
            out += ["    sources:"] + [f'      - "{sources[(i + m) % len(sources)]}"' for m in range(min(2, len(sources)))]
    return "\n".join(out) + "\n"


def ensure_navigator_markers(project: Path) -> None:
    page = project / "docs" / "navigator" / "index.md"
    if not page.exists():
        return
    text = page.read_text(encoding="utf-8")
    if "kb:navigator-start" not in text:
        text, n = re.subn(r"^<!--[^\n]*navstart[^\n]*-->$", "<!-- kb:navigator-start -->", text, flags=re.M)
        if not n:
            text += "\n<!-- kb:navigator-start -->\n"
    if "kb:navigator-overview" not in text:
        text, n = re.subn(r"^<!--[^\n]*navoverview[^\n]*-->$", "<!-- kb:navigator-overview -->", text, flags=re.M)
        if not n:
            text += "\n<!-- kb:navigator-overview -->\n"
    page.write_text(text, encoding="utf-8")


def synthetic_comparison(project: Path, dims: int) -> None:
    """data/comparisons/synthetic.yml with `dims` dimensions, and a page showing it."""
    sources = source_ids(project)
    per_group = 20
    out = [
        "# yaml-language-server: $schema=../schemas/comparison.schema.json",
        "id: synthetic",
        "title: 合成对比表",
        f"caption: 基准测试用的合成对比表，共 {dims} 个维度",
        "columns:",
        "  - id: alpha",
        "    name: 甲方案",
        "  - id: beta",
        "    name: 乙方案",
        "  - id: gamma",
        "    name: 丙方案",
        "groups:",
    ]
    for d in range(dims):
        if d % per_group == 0:
            g = d // per_group
            out += [f"  - id: group-{g}", f"    name: 第 {g + 1} 组", "    dimensions:"]
        src = sources[d % len(sources)]
        out += [f"      - id: dim-{d}", f"        name: 第 {d + 1} 个维度", "        cells:"]
        for col, state in (("alpha", "有"), ("beta", "无"), ("gamma", "部分")):
            out += [f"          {col}:", f"            value: 第 {d + 1} 个维度上{col}的做法", f"            state: {state}", f'            source: "{src}"']
        out += ["        verdict:", f"          pick: [{['alpha', 'beta', 'gamma'][d % 3]}]", f"          need: 需要第 {d + 1} 项能力", "          why: 只有这一列写明了有这项能力。"]
    (project / "data" / "comparisons" / "synthetic.yml").write_text("\n".join(out) + "\n", encoding="utf-8")
    page = project / "docs" / "platforms" / "synthetic.md"
    page.write_text(
        "---\ntitle: 合成对比\ndescription: 基准测试生成的页面，嵌入一张很大的对比表，用来测构建时间。\n"
        f"tags: [定位]\nsources: [\"{sources[0]}\"]\n---\n\n# 合成对比 {{#top}}\n\n"
        "## 怎么选 {#choose}\n\n<!-- kb:comparison synthetic show=summary -->\n\n"
        "## 逐项对比 {#table}\n\n<!-- kb:comparison synthetic show=table -->\n",
        encoding="utf-8",
    )
    cfg = project / "mkdocs.yml"
    cfg.write_text(nav_insert(cfg.read_text(encoding="utf-8"), {"platforms/wechat-vs-qq.md": ["platforms/synthetic.md"]}), encoding="utf-8")


def write_first_manifest(project: Path) -> None:
    """The copy publishes other URLs than the real site (new pages, another
    tree): its manifest is written from scratch by `make manifest`'s tool."""
    (project / "data" / "permalinks.yml").unlink()
    proc = subprocess.run([PY, "tests/tools/write_manifest.py"], cwd=project, capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"write_manifest failed in {project}:\n{proc.stderr[-3000:]}")


def scale_case(work: Path, name: str, factor: int = 1, in_nav: bool = True, tree: int = 0, dims: int = 0, profile: bool = False, cache_dir: Path | None = None) -> dict:
    project = copy_project(work / f"scale-{name}")
    added = multiply_pages(project, factor, in_nav=in_nav) if factor > 1 else 0
    if tree:
        (project / "data" / "decision_tree.yml").write_text(synthetic_tree(project, tree), encoding="utf-8")
        ensure_navigator_markers(project)
    if dims:
        synthetic_comparison(project, dims)
    write_first_manifest(project)
    env = env_for(TMPDIR=cache_dir or work)
    site = work / f"scale-{name}-site"
    result = run_child(project, site, builds=1, warmup=ROOT, env=env)
    last = result["builds"][-1]
    hooks = hook_times(last["events_cpu"])
    log(f"scale {name}: {last['pages']} pages, {last['seconds']:.2f} s wall, {last['cpu']:.2f} s CPU (hooks {total(hooks):.2f} s)")
    prof = run_child(project, site, builds=1, profile=True, warmup=ROOT, env=env)["profile"] if profile else None
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(project, ignore_errors=True)
    return {"name": name, "factor": factor, "in_nav": in_nav, "tree": tree, "dims": dims, "added_pages": added, "pages": last["pages"], "seconds": last["seconds"], "cpu": last["cpu"], "hooks_cpu": total(hooks), "profile": prof}


def real_tree_nodes() -> int:
    import yaml

    return len(yaml.safe_load((ROOT / "data" / "decision_tree.yml").read_text(encoding="utf-8"))["nodes"])


def measure(work: Path, quick: bool, full: bool) -> dict:
    cache_dir = work / "jieba"
    cache_dir.mkdir(parents=True, exist_ok=True)
    cases = {}

    def case(name, **kw):
        cases[name] = scale_case(work, name, cache_dir=cache_dir, **kw)

    case("pages-1x", profile=not quick)
    case("pages-10x", factor=10, profile=not quick)
    case("pages-10x-offnav", factor=10, in_nav=False)
    if not quick:
        case("pages-50x-offnav", factor=50, in_nav=False)
    if full:
        case("pages-50x", factor=50)
    for nodes in ([100] if quick else [100, 1000]):
        case(f"tree-{nodes}", tree=nodes)
    for n in ([20] if quick else [20, 200]):
        case(f"dims-{n}", dims=n)
    return {"cases": cases, "real_tree_nodes": real_tree_nodes()}


def label(c: dict) -> str:
    return LABELS.get(c["name"]) or (f"决策树 {c['tree']} 个节点" if c["tree"] else f"对比表 {c['dims']} 个维度")


def reference(cases: dict, c: dict) -> tuple[dict | None, str, int]:
    """What a case is compared with, the unit of its growth, and how many were added."""
    if c["tree"]:
        ref = next((x for x in cases.values() if x["tree"] and x["tree"] < c["tree"]), None)
        return ref, "节点", (c["pages"] - ref["pages"]) if ref else 0
    if c["dims"]:
        ref = next((x for x in cases.values() if x["dims"] and x["dims"] < c["dims"]), None)
        return ref, "维度", (c["dims"] - ref["dims"]) if ref else 0
    ref = cases.get("pages-1x")
    return ref, "页", (c["pages"] - ref["pages"]) if ref else 0


def ratios(sc: dict) -> dict[str, float]:
    """Per-page CPU of each content case relative to 1x."""
    cases = sc["cases"]
    base = cases.get("pages-1x")
    if not base:
        return {}
    pp = base["cpu"] / base["pages"]
    return {k: (c["cpu"] / c["pages"]) / pp for k, c in cases.items() if k.startswith("pages-") and k != "pages-1x"}


def render(sc: dict, goals: list) -> list[str]:
    cases = sc["cases"]
    out = ["## 规模 {#scale}", ""]
    out += [
        "在项目的临时副本里生成内容：五个内容栏目（basics、tactics、cases、checklists、platforms）里的每个非索引页复制 k−1 份"
        "（新文件名；「在 nav 里」= 插在 nav 里原页面后面，「不在 nav 里」= 用 `not_in_nav` 排除）；"
        f"决策树是按 schema 生成的合法树，替换真实站点的 {sc['real_tree_nodes']} 个节点（每个问题 3 个选项，每个节点一页）；"
        "对比表是 `data/comparisons/synthetic.yml`（3 列）加一个嵌入它的页面；每个副本的 `data/permalinks.yml` 由 `make manifest` 的工具重新生成。"
        "每个场景一个新进程：先构建一次真实站点预热，再计一次构建。比较用进程 CPU 时间，墙钟只作参考。",
        "",
        "| 场景 | 页面数 | 构建 CPU | 墙钟 | 每页 CPU | 钩子 CPU | 钩子每页 | 钩子占比 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in cases.values():
        out.append(f"| {label(c)} | {c['pages']} | {fmt_s(c['cpu'])} | {fmt_s(c['seconds'])} | {fmt_ms(c['cpu'] / c['pages'])} | {fmt_s(c['hooks_cpu'])} | {fmt_ms(c['hooks_cpu'] / c['pages'])} | {c['hooks_cpu'] / c['cpu']:.1%} |")
    out.append("")
    base = cases.get("pages-1x")
    if base:
        out += [
            "增量成本：内容页相对 ×1 副本，决策树相对小一号的树，对比表相对小一号的表（多用的 CPU ÷ 多出的页、节点或维度）。",
            "",
            "| 场景 | 每页 / ×1 每页 | 对照 | 增加 | 每增加一个 | 其中钩子 |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        pp = base["cpu"] / base["pages"]
        for key, c in cases.items():
            if key == "pages-1x":
                continue
            ref, unit, n = reference(cases, c)
            inc = f"| {label(ref)} | {n} {unit} | {fmt_ms((c['cpu'] - ref['cpu']) / n)} | {fmt_ms((c['hooks_cpu'] - ref['hooks_cpu']) / n)} |" if ref and n else "| — | — | — | — |"
            out.append(f"| {label(c)} | {(c['cpu'] / c['pages']) / pp:.2f}× " + inc)
        out.append("")
    for key, ratio in ratios(sc).items():
        if key.startswith("pages-50x") or key == "pages-10x":
            goals.append((f"每页构建时间（{LABELS[key]}）≤ {GOAL_SCALE_RATIO} × ×1", f"{ratio:.2f}×", ratio <= GOAL_SCALE_RATIO))
    if "pages-10x" in cases:
        out += diagnosis(base, cases["pages-10x"])
    return out


def superlinear(small: dict | None, big: dict, limit: int = 10) -> list[tuple]:
    """Functions whose self time grows faster than the page count (cProfile)."""
    if not small or not small.get("profile") or not big.get("profile"):
        return []
    a = {f["func"]: f for f in small["profile"]["top_tottime"]}
    scale = big["pages"] / small["pages"]
    rows = []
    for f in big["profile"]["top_tottime"]:
        before = a.get(f["func"])
        rows.append((f["tottime"] - (before["tottime"] * scale if before else 0.0), f, before))
    rows.sort(key=lambda r: -r[0])
    return rows[:limit]


def diagnosis(small: dict | None, big: dict) -> list[str]:
    rows = superlinear(small, big)
    if not rows:
        return []
    out = [
        f"cProfile（自身时间，cProfile 下的数字）：×10（在 nav 里，{big['pages']} 页）比按 ×1（{small['pages']} 页）线性外推多出最多的函数；"
        "调用次数的增长远超页数的增长（×10 调用 / ×1 远大于页数之比）就是平方项。",
        "",
        "| 函数 | ×1 调用 | ×1 自身 | ×10 调用 | ×10 调用 / ×1 | ×10 自身 | 超出线性外推 |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for excess, f, before in rows:
        growth = f"{f['calls'] / before['calls']:.1f}" if before and before["calls"] else "—"
        out.append(f"| `{f['func']}` | {before['calls'] if before else '—'} | {fmt_ms(before['tottime']) if before else '—'} | {f['calls']} | {growth} | {fmt_s(f['tottime'])} | {fmt_s(excess)} |")
    out.append("")
    return out
