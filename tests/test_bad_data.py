"""Broken data stops the build with one located, actionable message, and
HTML typed into any text field never reaches a built file unescaped.

For every data file (and one page's front matter) a set of broken variants:
YAML syntax error, empty file, wrong top-level type, wrong field type, missing
required field, unknown key, duplicate id, duplicate key, dangling reference,
a loop in the decision tree, invalid UTF-8. Each variant is checked by calling
``kb.build.prepare`` directly (fast); one variant per file also runs a real
``mkdocs build --strict`` into a pre-filled site_dir, which must stay untouched.
"""

from __future__ import annotations

import copy
import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
import yaml

from kb.build import prepare, read_nav
from kb.errors import DataError
from kb.pages import FRONT_MATTER
from kb.permalinks import redirect_map
from siteutil import ROOT, data_copy, mkdocs_build, pagefind_fragments, project_copy_to

# ---------------------------------------------------------------------------
# Reading and writing the files of a throwaway project




def light_copy(tmp_path: Path) -> Path:
    """Just what ``prepare`` reads: mkdocs.yml, data/ and the Markdown of docs/."""
    return data_copy(tmp_path)


def run_prepare(project: Path) -> None:
    """What the hooks run before a build writes anything (on_config + on_pre_build)."""
    redirect_map(project / "data", project / "docs")
    prepare(project, project / "docs", read_nav(project))


def dump_yaml(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def edit_yaml(project: Path, rel: str, change: Callable[[dict], None]) -> None:
    """Load a YAML data file or a page's front matter, change it, write it back."""
    path = project / rel
    text = path.read_text(encoding="utf-8")
    if rel.endswith(".md"):
        match = FRONT_MATTER.match(text)
        meta = yaml.safe_load(match.group(1))
        change(meta)
        path.write_text("---\n" + dump_yaml(meta) + "---\n" + text[match.end():], encoding="utf-8")
    else:
        data = yaml.safe_load(text)
        change(data)
        path.write_text(dump_yaml(data), encoding="utf-8")


KEY_VALUE = re.compile(r"^(\s*)([A-Za-z_][\w-]*): ([^\s\"'\[{|>&*!#].*)$")
ANY_KEY = re.compile(r"^(\s*)([^\s#\-][^:#]*):(\s.*)?$")


def _lines(project: Path, rel: str) -> list[str]:
    return (project / rel).read_text(encoding="utf-8").split("\n")


def _first(lines: list[str], pattern: re.Pattern, start: int = 0) -> int | None:
    for i in range(start, len(lines)):
        if pattern.match(lines[i]):
            return i
    return None


def _front_matter_start(rel: str) -> int:
    return 1 if rel.endswith(".md") else 0  # skip the opening '---' of a page


def text_syntax_error(project: Path, rel: str) -> str:
    """The classic editor mistake: an unquoted ': ' inside a value. Returns the marker."""
    lines = _lines(project, rel)
    i = _first(lines, KEY_VALUE, _front_matter_start(rel))
    if i is not None:
        lines[i] += ": 多余的冒号"
        marker = "多余的冒号"
    else:  # no plain `key: value` line (permalinks.yml): a tab used for indenting
        i = _first(lines, ANY_KEY, _front_matter_start(rel)) + 1
        lines.insert(i, "\tbroken-by-a-tab: x")
        marker = "broken-by-a-tab"
    (project / rel).write_text("\n".join(lines), encoding="utf-8")
    return marker


def text_duplicate_key(project: Path, rel: str) -> str:
    """Repeat the first key line right after itself."""
    lines = _lines(project, rel)
    i = _first(lines, ANY_KEY, _front_matter_start(rel))
    lines.insert(i + 1, lines[i])
    (project / rel).write_text("\n".join(lines), encoding="utf-8")
    return ANY_KEY.match(lines[i]).group(2).strip()


def text_invalid_utf8(project: Path, rel: str) -> str:
    """Two bytes that are not UTF-8 at the end of an early key line (Latin-1 'ÿþ')."""
    lines = _lines(project, rel)
    i = _first(lines, ANY_KEY, _front_matter_start(rel))
    raw = [line.encode("utf-8") for line in lines]
    raw[i] += b" \xff\xfe"
    (project / rel).write_bytes(b"\n".join(raw))
    return lines[i].strip()


def text_empty(project: Path, rel: str) -> None:
    (project / rel).write_bytes(b"")


def text_wrong_top_level(project: Path, rel: str) -> None:
    if rel.endswith(".md"):
        body = FRONT_MATTER.sub("", (project / rel).read_text(encoding="utf-8"), count=1)
        (project / rel).write_text("---\n- 标题\n- 描述\n---\n" + body, encoding="utf-8")
    else:
        (project / rel).write_text("- 第一项\n- 第二项\n", encoding="utf-8")


# ---------------------------------------------------------------------------
# The variants


@dataclass
class Case:
    file: str  # the file to break
    variant: str
    mutate: Callable[[Path], object]  # may return a token that must be on the reported line
    expect: tuple[str, ...]  # all must appear in the message
    reported_file: str | None = None  # the file the message must name (default: ``file``)
    build: bool = False  # also run a real `mkdocs build --strict` for this one
    marks: list = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"{self.file}-{self.variant}"

    @property
    def names(self) -> str:
        return self.reported_file or self.file


def y(rel: str, change: Callable[[dict], object]) -> Callable[[Path], object]:
    """A mutation through the parsed YAML; ``change`` may return the line's token."""
    out = {}

    def mutate(project: Path):
        def wrapped(data):
            out["token"] = change(data)

        edit_yaml(project, rel, wrapped)
        return out.get("token")

    return mutate


def t(rel: str, func) -> Callable[[Path], object]:
    return lambda project: func(project, rel)


def generic_cases(rel: str, *, top: str, build: str | None = None) -> list[Case]:
    """Variants that break any YAML file the same way."""
    cases = [
        Case(rel, "syntax-error", t(rel, text_syntax_error), ("not valid YAML",)),
        Case(rel, "empty-file", t(rel, text_empty), ("no front matter",) if rel.endswith(".md") else ("empty",)),
        Case(rel, "wrong-top-level-type", t(rel, text_wrong_top_level), (top,)),
        Case(rel, "duplicate-key", t(rel, text_duplicate_key), ("appears twice",)),
        Case(rel, "invalid-utf8", t(rel, text_invalid_utf8), ("not valid UTF-8",)),
    ]
    for case in cases:
        case.build = case.variant == build
    return cases


def _tree_nodes(data: dict) -> dict[str, dict]:
    return {n["id"]: n for n in data["nodes"]}


def _first_kind(data: dict, kind: str) -> dict:
    return next(n for n in data["nodes"] if n["kind"] == kind)


def tree_loop(data: dict) -> str:
    """Q1 (reached from the start) and its child question Q2 point at each other:
    drop the start option leading to Q1, add an option of Q2 leading back to Q1."""
    nodes = _tree_nodes(data)
    for i, option in enumerate(data["start"]["options"]):
        q1 = nodes[option["next"]]
        if q1["kind"] != "question":
            continue
        q2 = next((nodes[o["next"]] for o in q1["options"] if nodes[o["next"]]["kind"] == "question"), None)
        if q2 is None:
            continue
        assert len(data["start"]["options"]) > 2, "the start page needs 3+ options for this variant"
        del data["start"]["options"][i]
        q2["options"].append({"label": "回到上一个问题", "next": q1["id"]})
        return None
    pytest.fail("the decision tree has no question under a question: cannot build a loop")


def tree_cases(rel: str) -> list[Case]:
    def wrong_type(d):
        _first_kind(d, "result")["steps"] = "先做这个"
        return "steps:"

    def missing(d):
        _first_kind(d, "result").pop("summary")

    def unknown(d):
        d["start"]["tittle"] = "拼错的字段"

    def duplicate(d):
        d["nodes"].append(copy.deepcopy(_first_kind(d, "result")))
        return "id: " + _first_kind(d, "result")["id"]

    def dangling(d):
        _first_kind(d, "question")["options"][0]["next"] = "no-such-node"
        return "no-such-node"

    def dangling_link(d):
        _first_kind(d, "result")["tactics"] = ["tactics/no-such-page.md"]
        return "no-such-page"

    return generic_cases(rel, top="expected a mapping") + [
        Case(rel, "wrong-field-type", y(rel, wrong_type), ("expected a list",)),
        Case(rel, "missing-field", y(rel, missing), ("'summary' is missing",)),
        Case(rel, "unknown-key", y(rel, unknown), ("unknown key 'tittle'",)),
        Case(rel, "duplicate-id", y(rel, duplicate), ("used by two nodes",)),
        Case(rel, "dangling-next", y(rel, dangling), ("'next: no-such-node' points to no node",)),
        Case(rel, "dangling-link", y(rel, dangling_link), ("'tactics/no-such-page.md' is not a page",)),
        Case(rel, "cycle", y(rel, tree_loop), ("loop",), build=True),
    ]


def _dims(d: dict) -> list[dict]:
    return [dim for group in d["groups"] for dim in group["dimensions"]]


def comparison_cases(rel: str, build: str) -> list[Case]:
    def wrong_type(d):
        d["columns"][0]["name"] = 123
        return "name: 123"

    def missing(d):
        _dims(d)[0].pop("verdict")

    def unknown(d):
        first_cell = next(iter(_dims(d)[0]["cells"].values()))
        first_cell["notes"] = "拼错的字段"

    def duplicate(d):
        _dims(d)[1]["id"] = _dims(d)[0]["id"]
        return "id: " + _dims(d)[0]["id"]

    def dangling_source(d):
        cell = next(c for dim in _dims(d) for c in dim["cells"].values() if "source" in c)
        cell["source"] = "999"
        return "999"

    def dangling_pick(d):
        _dims(d)[0]["verdict"]["pick"] = ["no-such-column"]
        return "no-such-column"

    cases = generic_cases(rel, top="expected a mapping", build=build) + [
        Case(rel, "wrong-field-type", y(rel, wrong_type), ("expected text but found int",)),
        Case(rel, "missing-field", y(rel, missing), ("'verdict' is missing",)),
        Case(rel, "unknown-key", y(rel, unknown), ("unknown key 'notes'",)),
        Case(rel, "duplicate-id", y(rel, duplicate), ("is used twice",)),
        Case(rel, "dangling-source", y(rel, dangling_source), ("unknown source '999'",)),
        Case(rel, "dangling-pick", y(rel, dangling_pick), ("'no-such-column', which is not a column",)),
    ]
    for case in cases:
        case.build = case.build or case.variant == build
    return cases


def glossary_cases(rel: str) -> list[Case]:
    def wrong_type(d):
        d["terms"][0]["definition"] = ["一", "二"]
        return "definition:"

    def missing(d):
        d["terms"][0].pop("definition")

    def unknown(d):
        d["terms"][0]["defintion"] = "拼错的字段"

    def duplicate(d):
        d["terms"][1]["id"] = d["terms"][0]["id"]
        return "id: " + d["terms"][0]["id"]

    def dangling(d):
        d["terms"][0]["see"] = "tactics/no-such-page.md"
        return "no-such-page"

    return generic_cases(rel, top="expected a mapping") + [
        Case(rel, "wrong-field-type", y(rel, wrong_type), ("expected text but found list",), build=True),
        Case(rel, "missing-field", y(rel, missing), ("'definition' is missing",)),
        Case(rel, "unknown-key", y(rel, unknown), ("unknown key 'defintion'",)),
        Case(rel, "duplicate-id", y(rel, duplicate), ("is used twice",)),
        Case(rel, "dangling-link", y(rel, dangling), ("'tactics/no-such-page.md' is not a page",)),
    ]


def _used_tag() -> str:
    meta = yaml.safe_load(FRONT_MATTER.match((ROOT / "docs/checklists/launch.md").read_text(encoding="utf-8")).group(1))
    return meta["tags"][0]


def tags_cases(rel: str) -> list[Case]:
    def wrong_type(d):
        d["groups"][0]["tags"] = "拉新"
        return "tags:"

    def missing(d):
        d["groups"][0]["tags"][0].pop("description")

    def unknown(d):
        d["groups"][0]["desc"] = "拼错的字段"

    def duplicate(d):
        d["groups"][-1]["tags"].append({"name": d["groups"][0]["tags"][0]["name"], "description": "重复"})

    tag = _used_tag()

    def dangling(d):
        for group in d["groups"]:
            group["tags"] = [x for x in group["tags"] if x["name"] != tag] or [{"name": "占位", "description": "占位"}]

    return generic_cases(rel, top="expected a mapping") + [
        Case(rel, "wrong-field-type", y(rel, wrong_type), ("expected a list",)),
        Case(rel, "missing-field", y(rel, missing), ("'description' is missing",)),
        Case(rel, "unknown-key", y(rel, unknown), ("unknown key 'desc'",), build=True),
        Case(rel, "duplicate-id", y(rel, duplicate), ("listed twice",)),
        # A tag that pages use disappears: the message names the page and the tag.
        Case(rel, "dangling-tag", y(rel, dangling), (f"the tag '{tag}' is not in the vocabulary",), reported_file="docs/"),
    ]


def sources_cases(rel: str) -> list[Case]:
    def wrong_type(d):
        d["sources"][0]["title"] = [1, 2]
        return "title:"

    def missing(d):
        d["sources"][0].pop("contributes")

    def unknown(d):
        d["sources"][0]["url"] = "https://example.org/"

    def duplicate(d):
        d["sources"][1]["id"] = d["sources"][0]["id"]

    def dangling(d):
        d["sources"][0]["id"] = "999"

    def missing_lines(d):
        d["sources"][0].pop("lines")

    first = yaml.safe_load((ROOT / rel).read_text(encoding="utf-8"))["sources"][0]["id"]
    return generic_cases(rel, top="expected a mapping") + [
        Case(rel, "wrong-field-type", y(rel, wrong_type), ("expected text but found list",)),
        Case(rel, "missing-field", y(rel, missing), ("'contributes' is missing",), build=True),
        Case(rel, "unknown-key", y(rel, unknown), ("unknown key 'url'",)),
        Case(rel, "duplicate-id", y(rel, duplicate), ("is used twice",)),
        # A source that pages cite disappears: the message names the page and the id.
        Case(rel, "dangling-source", y(rel, dangling), (f"unknown source '{first}'",), reported_file="docs/"),
        # The mind map gives line numbers in source 000, which must say how long it is.
        Case(rel, "missing-lines", y(rel, missing_lines), ("has no 'lines:'",)),
    ]


def mindmap_cases(rel: str) -> list[Case]:
    def wrong_type(d):
        d["children"][0]["text"] = {"a": 1}
        return "text:"

    def missing(d):
        d["children"][0].pop("link")

    def unknown(d):
        d["children"][0]["chilren"] = []

    def dangling(d):
        d["children"][0]["link"] = "tactics/no-such-page.md"
        return "no-such-page"

    def dangling_source(d):
        d["source"] = "999"
        return "999"

    def line_past_end(d):
        d["children"][1]["children"][0]["line"] = 9999
        return "9999"

    return generic_cases(rel, top="expected a mapping", build="syntax-error") + [
        Case(rel, "wrong-field-type", y(rel, wrong_type), ("expected text but found dict",)),
        Case(rel, "missing-field", y(rel, missing), ("'link' is missing",)),
        Case(rel, "unknown-key", y(rel, unknown), ("unknown key 'chilren'",)),
        Case(rel, "dangling-link", y(rel, dangling), ("'tactics/no-such-page.md' is not a page",)),
        Case(rel, "dangling-source", y(rel, dangling_source), ("unknown source '999'",)),
        # A node's line in the source file is past the file's end: the node is named.
        Case(rel, "dangling-line", y(rel, line_past_end), ("line 9999 is past the end of source 000", "node '", "between 1 and"), build=False),
    ]


def terms_cases(rel: str) -> list[Case]:
    def wrong_type(d):
        d["terms"][0]["variants"] = "秋叶 PPT"
        return "variants:"

    def missing(d):
        d["terms"][0].pop("variants")

    def unknown(d):
        d["terms"][0]["spelling"] = "秋叶PPT"

    def duplicate(d):
        d["terms"][1]["term"] = d["terms"][0]["term"]
        return "term: " + d["terms"][0]["term"]

    def variant_is_term(d):
        d["terms"][0]["variants"].append(d["terms"][1]["term"])
        return d["terms"][1]["term"]

    def variant_inside_term(d):
        d["terms"][0]["variants"].append(d["terms"][0]["term"][:2])
        return d["terms"][0]["term"][:2]

    return generic_cases(rel, top="expected a mapping", build="duplicate-key") + [
        Case(rel, "wrong-field-type", y(rel, wrong_type), ("expected a list",)),
        Case(rel, "missing-field", y(rel, missing), ("'variants' is missing",)),
        Case(rel, "unknown-key", y(rel, unknown), ("unknown key 'spelling'",)),
        Case(rel, "duplicate-id", y(rel, duplicate), ("is listed twice",)),
        # A spelling both accepted and rejected: the message names the variant.
        Case(rel, "dangling-variant", y(rel, variant_is_term), ("is itself a term",)),
        Case(rel, "wrong-variant", y(rel, variant_inside_term), ("occurs inside the term",)),
    ]


def permalinks_cases(rel: str) -> list[Case]:
    def wrong_type(d):
        d["pages"] = list(d["pages"])
        return "pages:"

    def unknown(d):
        d["redirects"] = {}

    def dangling(d):
        d["moved"] = {"/tactics/old-name/": "/tactics/no-such-page/"}
        return "/tactics/old-name/"

    def dangling_removed(d):
        d["removed"] = {"/tactics/never-published/": "合并了"}
        return "/tactics/never-published/"

    def removed_but_published(d):
        d["removed"] = {"/tactics/seed-users/": "合并了"}
        return "/tactics/seed-users/"

    return generic_cases(rel, top="expected a mapping", build="empty-file") + [
        Case(rel, "wrong-field-type", y(rel, wrong_type), ("expected a mapping (key: value) but found list",)),
        Case(rel, "unknown-key", y(rel, unknown), ("unknown key 'redirects'",)),
        Case(rel, "dangling-moved", y(rel, dangling), ("which does not exist",)),
        Case(rel, "dangling-removed", y(rel, dangling_removed), ("was never published",)),
        Case(rel, "stale-removed", y(rel, removed_but_published), ("the site still publishes it",)),
    ]


def page_cases(rel: str) -> list[Case]:
    def wrong_type(d):
        d["tags"] = d["tags"][0]
        return "tags:"

    def missing(d):
        d.pop("description")

    def unknown(d):
        d["tittle"] = "拼错的字段"

    def duplicate(d):
        items = d["checklist"]["items"]
        items[1]["id"] = items[0]["id"]
        return "id: " + items[0]["id"]

    def dangling_see(d):
        d["checklist"]["items"][0]["see"] = "tactics/group-rules.md#no-such-anchor"
        return "see:"

    def dangling_tag(d):
        d["tags"] = ["不存在的标签"]
        return "不存在的标签"

    def dangling_footnote(project: Path):
        path = project / rel
        lines = path.read_text(encoding="utf-8").split("\n")
        end = lines.index("---", 1)
        lines.insert(end + 2, "这一句引用了不存在的资料[^999]。")
        path.write_text("\n".join(lines), encoding="utf-8")
        return "[^999]"

    return generic_cases(rel, top="not a mapping", build="invalid-utf8") + [
        Case(rel, "wrong-field-type", y(rel, wrong_type), ("expected a list",)),
        Case(rel, "missing-field", y(rel, missing), ("'description' is missing",)),
        Case(rel, "unknown-key", y(rel, unknown), ("unknown key 'tittle'",)),
        Case(rel, "duplicate-id", y(rel, duplicate), ("is used twice",)),
        Case(rel, "dangling-see", y(rel, dangling_see), ("has no anchor '#no-such-anchor'",)),
        Case(rel, "dangling-tag", y(rel, dangling_tag), ("the tag '不存在的标签' is not in the vocabulary",)),
        Case(rel, "dangling-footnote", dangling_footnote, ("the footnote [^999] names no known source",)),
    ]


def diagrams_cases(rel: str) -> list[Case]:
    def wrong_type(d):
        d["diagrams"][0]["title"] = ["一", "二"]
        return "title:"

    def missing(d):
        d["diagrams"][0].pop("alt")

    def unknown(d):
        d["diagrams"][0]["caption"] = "拼错的字段"

    def duplicate(d):
        d["diagrams"][1]["id"] = d["diagrams"][0]["id"]
        return "id: " + d["diagrams"][0]["id"]

    def dangling(d):
        d["diagrams"][0]["panels"][0]["items"][0]["link"] = "basics/lifecycle.md#no-such-stage"
        return "no-such-stage"

    return generic_cases(rel, top="expected a mapping", build="duplicate-key") + [
        Case(rel, "wrong-field-type", y(rel, wrong_type), ("expected text but found list",)),
        Case(rel, "missing-field", y(rel, missing), ("'alt' is missing",)),
        Case(rel, "unknown-key", y(rel, unknown), ("unknown key 'caption'",)),
        Case(rel, "duplicate-id", y(rel, duplicate), ("used twice",)),
        Case(rel, "dangling-link", y(rel, dangling), ("no anchor '#no-such-stage'",)),
    ]


def all_cases() -> list[Case]:
    files = {
        "data/decision_tree.yml": tree_cases,
        "data/platforms.yml": lambda rel: comparison_cases(rel, build="dangling-source"),
        "data/comparisons/ring-vs-pyramid.yml": lambda rel: comparison_cases(rel, build="duplicate-id"),
        "data/glossary.yml": glossary_cases,
        "data/tags.yml": tags_cases,
        "data/sources.yml": sources_cases,
        "data/mindmap.yml": mindmap_cases,
        "data/permalinks.yml": permalinks_cases,
        "data/terms.yml": terms_cases,
        "data/diagrams.yml": diagrams_cases,
        "docs/checklists/launch.md": page_cases,
    }
    # A missing file is not skipped: its cases fail (the file cannot be broken).
    return [case for rel, make in files.items() for case in (make(rel) if (ROOT / rel).exists() else missing_file_cases(rel))]


def missing_file_cases(rel: str) -> list[Case]:
    def mutate(_project: Path):
        pytest.fail(f"{rel} does not exist, so its broken variants cannot be checked: restore it", pytrace=False)

    return [Case(rel, "file-missing", mutate, ())]


CASES = all_cases()
BUILD_CASES = [case for case in CASES if case.build]


def check_message(text: str, case: Case, token: object, project: Path) -> None:
    """File name, a line (or YAML path), the expected words, a fix, no traceback."""
    assert "Traceback" not in text, text
    assert case.names in text, f"the message does not name {case.names}:\n{text}"
    for words in case.expect:
        assert words in text, f"expected {words!r} in:\n{text}"
    assert "fix:" in text, f"no 'fix:' in:\n{text}"
    where = re.search(r"((?:data|docs)/[\w./-]+):(\d+):", text)
    assert where or "  where: " in text, f"no line number or YAML path in:\n{text}"
    if token and where and where.group(1) == case.file:
        # The line given is the one to fix.
        line = (project / case.file).read_bytes().split(b"\n")[int(where.group(2)) - 1].decode("utf-8", "replace")
        assert str(token) in line, f"line {where.group(2)} of {case.file} is {line!r}, expected it to contain {token!r}:\n{text}"


_PARSED: dict = {}


@pytest.fixture
def parse_once(monkeypatch):
    """Parse each unchanged YAML text once per session: ~100 prepare() calls
    re-read the same 60 files, and pure-Python YAML parsing is most of their
    time. Changed texts (the broken ones) are parsed, and fail, as usual."""
    import kb.pages
    import kb.yamlio

    original = kb.yamlio.parse_yaml

    def parse(text, rel, line_offset=0):
        key = (text, rel, line_offset)
        if key not in _PARSED:
            _PARSED[key] = original(text, rel, line_offset)
        return copy.deepcopy(_PARSED[key])

    monkeypatch.setattr(kb.yamlio, "parse_yaml", parse)
    monkeypatch.setattr(kb.pages, "parse_yaml", parse)


def test_the_unbroken_copy_prepares(tmp_path, parse_once):
    run_prepare(light_copy(tmp_path))


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_prepare_rejects_broken_data(case: Case, tmp_path, parse_once):
    project = light_copy(tmp_path)
    token = case.mutate(project)
    with pytest.raises(DataError) as info:
        run_prepare(project)
    check_message(info.value.render("en"), case, token, project)
    # The same error as editors read it: located, in Chinese, with the fix.
    chinese = info.value.render("zh")
    assert chinese.startswith(case.names) and "\n  问题：" in chinese and "\n  怎么改：" in chinese, chinese
    assert info.value.zh and info.value.zh_fix, f"no Chinese message for editors:\n{chinese}"
    if info.value.line:
        assert f"第 {info.value.line} 行" in chinese, chinese


FAMILIES = {"syntax", "empty", "wrong", "missing", "unknown", "duplicate", "dangling", "invalid"}


def test_every_file_prepare_reads_has_every_variant(tmp_path, monkeypatch):
    """Each data file the build checks (found by watching what prepare() reads)
    has a broken variant of each kind, and one real build."""
    import kb.pages
    import kb.yamlio

    read: set[str] = set()
    original = kb.yamlio.read_text

    def recording(path, rel):
        read.add(rel)
        return original(path, rel)

    monkeypatch.setattr(kb.yamlio, "read_text", recording)
    monkeypatch.setattr(kb.pages, "read_text", recording)
    run_prepare(light_copy(tmp_path))
    data_files = {rel for rel in read if rel.startswith("data/") and rel.endswith(".yml")}  # schemas: tests/test_editor_errors.py
    assert len(data_files) >= 8 and any(rel.startswith("docs/") for rel in read), read
    by_file: dict[str, set[str]] = {}
    for case in CASES:
        by_file.setdefault(case.file, set()).add(case.variant.split("-")[0])
    problems = [f"{rel}: no broken variants at all" for rel in sorted(data_files - set(by_file))]
    generic = {"syntax", "empty", "wrong", "duplicate", "invalid"}  # what every YAML file can get wrong
    problems += [f"{rel}: lacks {sorted(generic - by_file[rel])}" for rel in sorted(data_files & set(by_file)) if generic - by_file[rel]]
    assert not problems, "\n".join(problems)
    assert FAMILIES <= {v for variants in by_file.values() for v in variants}
    built = {case.file for case in BUILD_CASES}
    assert built == set(by_file), f"files without a real build: {sorted(set(by_file) - built)}"


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", BUILD_CASES, ids=[c.id for c in BUILD_CASES])
def test_real_build_stops_and_keeps_the_old_site(case: Case, project_copy, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "KEEP.txt").write_text("the previous site\n", encoding="utf-8")
    (site / "index.html").write_text("<!doctype html><title>old</title><p>the previous site</p>\n", encoding="utf-8")
    before = snapshot(site)
    token = case.mutate(project_copy)
    result = mkdocs_build(site, project=project_copy)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    check_message(output, case, token, project_copy)
    assert snapshot(site) == before, "the failed build changed site_dir"


# ---------------------------------------------------------------------------
# HTML in every text field

PAYLOADS = ("<script>alert(1)</script>", "</td><script>x</script>", '"><img src=x onerror=alert(1)>')
PAYLOAD = "".join(PAYLOADS)
#: What must never appear in any output file, in any form a browser would run.
RAW = ("<script>alert", "<script>x</script>", "<img src=x")


def _inject(value: str, limit: int | None = None) -> str:
    if limit is not None:
        value = value[: max(1, limit - len(PAYLOAD))]
    return value + PAYLOAD


def _inject_fields(obj: dict, names: tuple[str, ...], limit: int | None = None) -> None:
    for name in names:
        value = obj.get(name)
        if isinstance(value, str):
            obj[name] = _inject(value, limit)
        elif isinstance(value, list):
            obj[name] = [_inject(v, limit) if isinstance(v, str) else v for v in value]


def inject_everywhere(project: Path) -> dict[str, int]:
    """Put the payloads into every text field of the data; return counts per file."""
    counts: dict[str, int] = {}

    def tree(d):
        questions = [d["start"], *d["nodes"]]
        for node in questions:
            _inject_fields(node, ("title", "explanation", "summary", "reasons", "steps"))
            for option in node.get("options", []):
                _inject_fields(option, ("label", "hint"))
            if "platform" in node:
                _inject_fields(node["platform"], ("why",))
        counts["tree"] = len(questions)

    def comparison(d):
        _inject_fields(d, ("title", "caption", "intro"))
        for column in d["columns"]:
            _inject_fields(column, ("name",))
        for group in d["groups"]:
            _inject_fields(group, ("name",))
            for dim in group["dimensions"]:
                _inject_fields(dim, ("name",))
                _inject_fields(dim["verdict"], ("need", "why"))
                for cell in dim["cells"].values():
                    _inject_fields(cell, ("value", "note", "as_of"))
        counts[d["id"]] = len(_dims(d))

    def glossary(d):
        for term in d["terms"]:
            _inject_fields(term, ("term",))
            _inject_fields(term, ("definition",), limit=160)
            _inject_fields(term, ("aliases",))
        counts["glossary"] = len(d["terms"])

    def checklist(d):
        # The page title and description reach <title>, meta, nav, search.
        d["title"] = "开群<script>alert(1)</script>"
        d["description"] = _inject("开群准备清单的描述文字", limit=120)
        # the aliases are shown under the page, its English terms hidden in it (both indexed by search)
        d["aliases"] = [_inject(a) for a in d.get("aliases") or ["开群前准备"]]
        d["en"] = ["launch & prep's", "before launch"]
        for item in d["checklist"]["items"]:
            _inject_fields(item, ("text", "why"))
        _inject_fields(d["checklist"], ("when",))
        counts["checklist"] = len(d["checklist"]["items"])

    def mindmap(d):
        nodes = [d]
        while nodes:
            node = nodes.pop()
            _inject_fields(node, ("title", "text"))
            nodes.extend(node.get("children", []))
        counts["mindmap"] = 1

    def diagrams(d):
        for diagram in d["diagrams"]:
            _inject_fields(diagram, ("title", "alt"))
        counts["diagrams"] = len(d["diagrams"])

    def sources(d):
        for source in d["sources"]:
            _inject_fields(source, ("title", "kind", "contributes", "gaps"))
        counts["sources"] = len(d["sources"])

    if (project / "data/decision_tree.yml").exists():
        edit_yaml(project, "data/decision_tree.yml", tree)
    if (project / "data/mindmap.yml").exists():
        edit_yaml(project, "data/mindmap.yml", mindmap)
    edit_yaml(project, "data/sources.yml", sources)
    edit_yaml(project, "data/diagrams.yml", diagrams)
    edit_yaml(project, "data/platforms.yml", comparison)
    for path in sorted((project / "data/comparisons").glob("*.yml")):
        edit_yaml(project, path.relative_to(project).as_posix(), comparison)
    edit_yaml(project, "data/glossary.yml", glossary)
    edit_yaml(project, "docs/checklists/launch.md", checklist)
    # A second page title in the nav, with the attribute-breaking payload.
    edit_yaml(project, "docs/tactics/seed-users.md", lambda d: d.update(title='种子"><img src=x onerror=alert(1)>'))
    return counts


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def leaks_in(site: Path) -> tuple[list[str], int]:
    """Every raw payload in any output file: (leaks with context, files read)."""
    leaks: list[str] = []
    seen = 0
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue  # images, fonts
        seen += 1
        texts = [text]
        if path.suffix == ".json":
            texts = list(_strings(json.loads(text)))  # JSON escapes like \u003c decode here
        for chunk in texts:
            for bad in RAW:
                for match in re.finditer(re.escape(bad), chunk):
                    start = max(0, match.start() - 120)
                    leaks.append(f"{rel}: …{chunk[start:match.end() + 40]}…")
    return leaks, seen


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory) -> Path:
    project = project_copy_to(tmp_path_factory.mktemp("xss") / "project")
    counts = inject_everywhere(project)
    assert all(counts.values()), counts
    site = project.parent / "site"
    result = mkdocs_build(site, project=project)
    assert result.returncode == 0, result.stdout + result.stderr
    return site


def test_html_in_text_fields_is_escaped_everywhere(xss_site):
    leaks, seen = leaks_in(xss_site)
    assert seen > 50
    assert not leaks, f"{len(leaks)} raw payload(s) in the output:\n" + "\n".join(leaks[:40])


def test_escaped_payloads_are_there(xss_site):
    """The payloads reach the pages (as text), so the leak test looked at them."""
    launch = (xss_site / "checklists/launch/index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in launch
    assert "&lt;img src=x onerror=alert(1)&gt;" in launch
    assert re.search(r'<span hidden lang="en"[^>]*>launch &amp; prep(&#39;|&#x27;)s, before launch</span>', launch)
    # the payloads reach the search index as text (search.js escapes what it shows)
    fragments = pagefind_fragments(xss_site)
    assert any("<script>" in f["content"] or "<script>" in f["meta"].get("title", "") for f in fragments.values())
    title = re.search(r"<title>(.*?)</title>", launch, re.S).group(1)
    assert "&lt;script&gt;" in title
    pages = ["glossary/", "platforms/wechat-vs-qq/", "basics/structure/", "sources/", "mindmap/", "navigator/"]
    pages += [p.parent.relative_to(xss_site).as_posix() + "/" for p in sorted((xss_site / "navigator").glob("*/index.html"))[:3]]
    for page in pages:
        path = xss_site / page / "index.html"
        if path.exists():
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in path.read_text(encoding="utf-8"), f"no escaped payload on {page}"


@pytest.mark.browser
def test_search_results_show_payloads_as_text(xss_site, browser):
    """Titles and excerpts from the index are shown as text: no payload runs or renders."""
    from urllib.parse import quote

    from siteutil import StaticServer

    with StaticServer(xss_site, "/") as srv:
        page = browser.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(srv.url + "?q=" + quote("alert onerror"), wait_until="networkidle")
        page.wait_for_selector(".md-search-result__item", timeout=15000)
        page.wait_for_timeout(300)
        results = page.locator("[data-kb-search-result] > .md-search-result__list")
        assert results.locator("img, script").count() == 0
        assert "alert(1)" in results.inner_text()
        assert dialogs == []
        page.close()


DOUBLE = re.compile(r"&amp;lt;(?:/?script|img|/td)")


def test_titles_are_not_escaped_twice(xss_site):
    """Escaped once is right; escaped twice shows (or reads out) '&lt;' to people."""
    found = []
    for path in sorted(xss_site.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in DOUBLE.finditer(text):
            start = text.rfind("<", 0, match.start())
            found.append(f"{path.relative_to(xss_site).as_posix()}: {text[start:match.end() + 30]}…")
    assert not found, f"{len(found)} double-escaped text(s):\n" + "\n".join(found[:20])


@pytest.mark.browser
def test_payloads_do_not_run_in_a_browser(xss_site, page):
    """The payloads stay text in the DOM too: after the theme's scripts, search and tooltips ran."""
    from siteutil import StaticServer

    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    paths = ["checklists/launch/", "glossary/", "platforms/wechat-vs-qq/", "tactics/seed-users/", "navigator/"]
    tree = xss_site / "navigator"
    paths += sorted(p.parent.relative_to(xss_site).as_posix() + "/" for p in tree.glob("*/index.html"))[:2]
    injected = []
    with StaticServer(xss_site, "/") as server:
        for path in paths:
            page.goto(server.url + path, wait_until="load")
            injected += [f"{path}: {n}" for n in page.eval_on_selector_all("img[src='x'], script:not([src])", "els => els.filter(e => /alert|x<\\/script|onerror/.test(e.outerHTML)).map(e => e.outerHTML)")]
        # Search results render titles and text from the index as HTML.
        page.goto(server.url + "?q=开群", wait_until="load")
        page.wait_for_selector(".md-search-result__item", timeout=15000)
        injected += [f"search: {n}" for n in page.eval_on_selector_all(".md-search-result img, .md-search-result script", "els => els.map(e => e.outerHTML)")]
        shown = page.eval_on_selector_all(".md-search-result__item", "els => els.map(e => e.textContent)")
    assert any("<script>alert(1)</script>" in text for text in shown), "the payload did not reach the search results as text"
    assert dialogs == [] and injected == [], (dialogs, injected)


# --- the fix for a value of the wrong form ---------------------------------------

def _schema_patterns() -> set[str]:
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("pattern"), str):
                found.add(node["pattern"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in (ROOT / "data" / "schemas").glob("*.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found


def test_every_form_a_schema_asks_for_has_its_own_fix():
    """A value of the wrong form gets the fix for that form (an English term is
    not told to write an id); a new pattern in a schema needs its fix too."""
    from kb import yamlio

    missing = sorted(_schema_patterns() - set(yamlio._PATTERN_FIXES))
    assert not missing, f"add the fix for these schema patterns to kb/yamlio.py _PATTERN_FIXES: {missing}"


@pytest.mark.parametrize("change, expect", [
    ({"en": ["种子用户"]}, "只写英文"),
    ({"sources": ["（002）"]}, "三位编号"),
])
def test_a_value_of_the_wrong_form_gets_the_fix_for_its_field(change, expect):
    from kb import yamlio
    from kb.errors import DataError

    schema = yamlio.load_schema(ROOT / "data" / "schemas" / "page.schema.json")
    meta = yaml.safe_load(FRONT_MATTER.match((ROOT / "docs/tactics/seed-users.md").read_text(encoding="utf-8")).group(1))
    text = yaml.safe_dump({**meta, **change}, allow_unicode=True)
    data, lines = yamlio.parse_yaml(text, "docs/x.md")
    with pytest.raises(DataError) as raised:
        yamlio.validate_schema(data, schema, "docs/x.md", lines)
    message = raised.value.render("zh")
    assert expect in message, message
    assert "id 只用" not in message, message
