"""What an editor sees when data or a page is wrong: one message in Chinese
(English with KB_LANG=en) naming the file, line and column, what is wrong and
the fix that is right for this case; never a traceback, a half-built site or
bad input accepted silently.

Each case breaks a throwaway copy of the project the way an editor might (one
space too many, a dedented line, a BOM, a control character pasted from a
chat, a deleted file, a YAML alias bomb …). ``prepare`` must raise a
``DataError`` whose Chinese message points at the line to change; a real
``mkdocs build --strict`` of the same copy must exit non-zero with that
message and leave the previous ``site/`` untouched.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from kb.build import prepare, read_nav
from kb.errors import DataError
from kb.permalinks import redirect_map
from siteutil import ROOT, data_copy, project_copy_to


def run_prepare(project: Path):
    redirect_map(project / "data", project / "docs")
    return prepare(project, project / "docs", read_nav(project))


def lines_of(project: Path, rel: str) -> list[str]:
    return (project / rel).read_text(encoding="utf-8").split("\n")


def write_lines(project: Path, rel: str, lines: list[str]) -> None:
    (project / rel).write_text("\n".join(lines), encoding="utf-8")


def find_line(lines: list[str], pattern: str, start: int = 0) -> int:
    """0-based index of the first line matching ``pattern``."""
    rx = re.compile(pattern)
    return next(i for i in range(start, len(lines)) if rx.search(lines[i]))


@dataclass
class Case:
    id: str
    file: str  # the file the message must name
    mutate: Callable[[Path], dict]  # returns {"line": n, "column": c} expected (1-based), or {}
    zh: tuple[str, ...]  # words the Chinese message must contain
    en: tuple[str, ...] = ()  # words the English message must contain


# ---------------------------------------------------------------------------
# The cases


def platforms_one_space_too_many(project: Path) -> dict:
    rel = "data/platforms.yml"
    lines = lines_of(project, rel)
    i = find_line(lines, r"^\s+state: ")
    indent = len(lines[i]) - len(lines[i].lstrip())
    lines[i] = " " + lines[i]
    write_lines(project, rel, lines)
    return {"line": i + 1, "words": (f"{indent} 个空格", f"{indent + 1} 个", lines[i].strip())}


def platforms_dedented_source(project: Path) -> dict:
    rel = "data/platforms.yml"
    lines = lines_of(project, rel)
    i = find_line(lines, r"^\s+source: \"")
    indent = len(lines[i]) - len(lines[i].lstrip())
    lines[i] = lines[i][2:]
    write_lines(project, rel, lines)
    return {"line": i + 1, "words": ("source:", f"加 2 个空格", f"{indent} 个空格")}


def checklist_over_indented_key(project: Path) -> dict:
    rel = "docs/checklists/launch.md"
    lines = lines_of(project, rel)
    i = find_line(lines, r"^description: ")
    lines[i] = "  " + lines[i]
    write_lines(project, rel, lines)
    return {"line": i + 1, "words": ("description:", "0 个空格", "缩进")}


def tab_indent(project: Path) -> dict:
    rel = "data/glossary.yml"
    lines = lines_of(project, rel)
    i = find_line(lines, r"^    definition: ")
    lines[i] = "\t" + lines[i].lstrip()
    write_lines(project, rel, lines)
    return {"line": i + 1, "words": ("Tab",)}


def unquoted_colon(project: Path) -> dict:
    rel = "data/glossary.yml"
    lines = lines_of(project, rel)
    i = find_line(lines, r"^    definition: ")
    lines[i] += " 例如: 这里"
    write_lines(project, rel, lines)
    return {"line": i + 1, "words": ("引号",)}


def control_character(char: str, name: str) -> Callable[[Path], dict]:
    def mutate(project: Path) -> dict:
        rel = "data/glossary.yml"
        lines = lines_of(project, rel)
        i = find_line(lines, r"^    definition: ")
        column = len("    definition: ") + 3
        lines[i] = lines[i][: column - 1] + char + lines[i][column - 1:]
        write_lines(project, rel, lines)
        return {"line": i + 1, "column": column, "words": (name,)}

    return mutate


def escaped_control_character(project: Path) -> dict:
    rel = "data/glossary.yml"
    lines = lines_of(project, rel)
    i = find_line(lines, r"^    definition: ")
    lines[i] = '    definition: "社群\\e[31m运营"'
    write_lines(project, rel, lines)
    return {"line": i + 1, "words": ("U+001B",)}


def zero_width_in_term(project: Path) -> dict:
    rel = "data/glossary.yml"
    lines = lines_of(project, rel)
    i = find_line(lines, r"^    term: 社群$")
    lines[i] = "    term: 社\u200b群"
    write_lines(project, rel, lines)
    return {"line": i + 1, "column": len("    term: 社") + 1, "words": ("U+200B", "零宽")}


def bidi_override_in_title(project: Path) -> dict:
    rel = "docs/checklists/launch.md"
    lines = lines_of(project, rel)
    i = find_line(lines, r"^title: ")
    lines[i] = "title: 开群\u202e准备"
    write_lines(project, rel, lines)
    return {"line": i + 1, "column": len("title: 开群") + 1, "words": ("U+202E", "方向")}


def zero_width_in_page_text(project: Path) -> dict:
    rel = "docs/tactics/seed-users.md"
    lines = lines_of(project, rel)
    i = find_line(lines, r"^[^-#\s<>|*:][^:]*。")
    lines[i] = "种子\u200d用户" + lines[i]
    write_lines(project, rel, lines)
    return {"line": i + 1, "column": 3, "words": ("U+200D",)}


def missing(name: str) -> Callable[[Path], dict]:
    def mutate(project: Path) -> dict:
        (project / "data" / name).unlink()
        return {"words": ("不存在", "git checkout -- data/" + name)}

    return mutate


def folder_instead_of_file(project: Path) -> dict:
    (project / "data/glossary.yml").unlink()
    (project / "data/glossary.yml").mkdir()
    return {"words": ("文件夹",)}


def schema_missing(project: Path) -> dict:
    (project / "data/schemas/glossary.schema.json").unlink()
    return {"words": ("不存在",)}


def schema_truncated(project: Path) -> dict:
    path = project / "data/schemas/glossary.schema.json"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")
    return {"words": ("JSON", "git checkout -- data/schemas/glossary.schema.json")}


def schema_invalid(project: Path) -> dict:
    path = project / "data/schemas/terms.schema.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"type": "string"', '"type": "strng"', 1), encoding="utf-8")
    return {"words": ("strng",)}


def self_alias(project: Path) -> dict:
    rel = "data/glossary.yml"
    lines = lines_of(project, rel)
    i = find_line(lines, r"^    aliases: ")
    lines[i] = "    aliases: &loop [互联网社群, *loop]"
    write_lines(project, rel, lines)
    return {"line": i + 1, "words": ("别名", "*loop")}


BOMB = """
    aliases: &a [哈, 哈, 哈, 哈, 哈, 哈, 哈, 哈, 哈, 哈]
    x0: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
    x1: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
    x2: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
    x3: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
    x4: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]
    x5: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]
    x6: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]
    x7: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]
    x8: &j [*i, *i, *i, *i, *i, *i, *i, *i, *i, *i]
"""


def alias_bomb(project: Path) -> dict:
    rel = "data/glossary.yml"
    lines = lines_of(project, rel)
    i = find_line(lines, r"^    aliases: ")
    del lines[i]
    block = BOMB.strip("\n").split("\n")
    lines[i:i] = block
    write_lines(project, rel, lines)
    return {"line": i + 2, "words": ("别名", "*a")}


def term_with_number_key(project: Path) -> dict:
    rel = "data/terms.yml"
    lines = lines_of(project, rel)
    i = find_line(lines, r"^    variants: ")
    lines[i + 1:i + 1] = ["    1: 一", "    extra: 多余"]
    write_lines(project, rel, lines)
    return {"line": i + 2, "words": ("1", "extra", "未知的字段")}


def deep_mindmap(project: Path) -> dict:
    rel = "data/mindmap.yml"
    lines = lines_of(project, rel)
    i = find_line(lines, r"^children:")
    block = []
    for depth in range(300):
        pad = "  " * (2 * depth + 1)
        block += [f"{pad}- text: 第{depth}层", f"{pad}  line: 7", f"{pad}  link: tactics/daily-maintenance.md#what", f"{pad}  children:"]
    del block[-1]
    lines[i + 1:i + 1] = block
    write_lines(project, rel, lines)
    return {"words": ("层",)}


CASES = [
    Case("platforms-one-space-too-many", "data/platforms.yml", platforms_one_space_too_many, ("缩进",), ("indent",)),
    Case("platforms-dedented-source", "data/platforms.yml", platforms_dedented_source, ("缩进",), ("indent",)),
    Case("checklist-over-indented-key", "docs/checklists/launch.md", checklist_over_indented_key, ("缩进",), ("indent",)),
    Case("tab-indent", "data/glossary.yml", tab_indent, ("空格",), ("tab",)),
    Case("unquoted-colon", "data/glossary.yml", unquoted_colon, ("冒号",), ("quote",)),
    Case("raw-esc", "data/glossary.yml", control_character("\x1b", "U+001B"), ("控制字符",), ("control character",)),
    Case("raw-nul", "data/glossary.yml", control_character("\x00", "U+0000"), ("控制字符",), ("control character",)),
    Case("escaped-esc", "data/glossary.yml", escaped_control_character, ("控制字符",), ("control character",)),
    Case("zero-width-space", "data/glossary.yml", zero_width_in_term, ("看不见",), ("invisible",)),
    Case("bidi-override", "docs/checklists/launch.md", bidi_override_in_title, ("看不见",), ("invisible",)),
    Case("zero-width-in-page-text", "docs/tactics/seed-users.md", zero_width_in_page_text, ("看不见",), ("invisible",)),
    Case("missing-sources", "data/sources.yml", missing("sources.yml"), ("缺少",), ("missing",)),
    Case("missing-synonyms", "data/synonyms.yml", missing("synonyms.yml"), ("缺少",), ("missing",)),
    Case("missing-glossary", "data/glossary.yml", missing("glossary.yml"), ("缺少",), ("missing",)),
    Case("missing-terms", "data/terms.yml", missing("terms.yml"), ("缺少",), ("missing",)),
    Case("folder-instead-of-file", "data/glossary.yml", folder_instead_of_file, ("不是文件",), ("folder",)),
    Case("schema-missing", "data/schemas/glossary.schema.json", schema_missing, ("缺少",), ("missing",)),
    Case("schema-truncated", "data/schemas/glossary.schema.json", schema_truncated, ("不是有效的 JSON",), ("not valid JSON",)),
    Case("schema-invalid", "data/schemas/terms.schema.json", schema_invalid, ("JSON Schema",), ("JSON Schema",)),
    Case("self-referencing-alias", "data/glossary.yml", self_alias, ("不支持",), ("alias",)),
    Case("alias-bomb", "data/glossary.yml", alias_bomb, ("不支持",), ("alias",)),
    Case("term-with-number-key", "data/terms.yml", term_with_number_key, ("extra",), ("unknown key",)),
    Case("mindmap-300-levels", "data/mindmap.yml", deep_mindmap, ("嵌套",), ("nested",)),
]

LOCATED = re.compile(r"^(?P<file>(?:data|docs)/[\w./-]+)(?::(?P<line>\d+)(?::(?P<col>\d+))?)?$", re.M)


def check_zh(text: str, case: Case, expect: dict) -> None:
    assert "Traceback" not in text and "Error:" not in text.split("\n", 1)[0], text
    where = LOCATED.search(text)
    assert where and where.group("file") == case.file, f"the message does not start with {case.file}[:line[:column]]:\n{text}"
    if "line" in expect:
        assert where.group("line") == str(expect["line"]), f"expected line {expect['line']}:\n{text}"
        assert f"第 {expect['line']} 行" in text, text
    if "column" in expect:
        assert where.group("col") == str(expect["column"]), f"expected column {expect['column']}:\n{text}"
    for words in case.zh + tuple(expect.get("words", ())):
        assert words in text, f"expected {words!r} in:\n{text}"
    assert "怎么改：" in text, text
    assert not re.search(r"\b(expected|found|fix:|where:)\b", text), f"English in the editor's message:\n{text}"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_prepare_gives_one_located_chinese_message(case: Case, tmp_path):
    project = data_copy(tmp_path)
    expect = case.mutate(project)
    with pytest.raises(DataError) as info:
        run_prepare(project)
    check_zh(info.value.render("zh"), case, expect)
    english = info.value.render("en")
    for words in case.en:
        assert words.lower() in english.lower(), f"expected {words!r} in the English message:\n{english}"
    assert english.startswith(case.file), english


def test_english_for_developers(tmp_path, monkeypatch):
    """KB_LANG=en switches str(error) (what MkDocs prints) to English."""
    project = data_copy(tmp_path)
    platforms_one_space_too_many(project)
    with pytest.raises(DataError) as info:
        run_prepare(project)
    monkeypatch.setenv("KB_LANG", "en")
    assert "fix:" in str(info.value) and "怎么改" not in str(info.value)
    monkeypatch.delenv("KB_LANG")
    assert "怎么改：" in str(info.value)


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def build(project: Path, site: Path, limit_bytes: int | None = None) -> tuple[subprocess.CompletedProcess, int]:
    """A strict build of ``project`` (optionally under an address-space cap, to
    protect the machine); returns the process and its peak RSS in bytes."""

    def cap():
        if limit_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    env = {k: v for k, v in os.environ.items() if k != "KB_LANG"}
    env["NO_MKDOCS_2_WARNING"] = "1"
    code = "import resource, runpy, sys; sys.argv = ['mkdocs', 'build', '--strict', '--site-dir', sys.argv[1]]\ntry:\n    runpy.run_module('mkdocs', run_name='__main__')\nfinally:\n    print('PEAK_RSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"
    result = subprocess.run([sys.executable, "-c", code, str(site)], cwd=project, env=env, capture_output=True, text=True, timeout=300, preexec_fn=cap)
    peak = re.search(r"PEAK_RSS_KB (\d+)", result.stderr)
    return result, int(peak.group(1)) * 1024 if peak else -1


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_real_build_shows_the_message_and_keeps_the_old_site(case: Case, tmp_path):
    project = project_copy_to(tmp_path / "project")
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>old</title><p>the previous site</p>\n", encoding="utf-8")
    before = snapshot(site)
    expect = case.mutate(project)
    result, peak = build(project, site, limit_bytes=3 * 2**30)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output and "MemoryError" not in output, output
    message = output[output.find(case.file):]
    check_zh(message.split("\nAborted")[0].split("\nPEAK_RSS_KB")[0], case, expect)
    assert snapshot(site) == before, "the failed build changed site_dir"
    if case.id == "alias-bomb":
        print(f"alias bomb: peak RSS of the build {peak / 2**20:.0f} MiB")
        assert 0 < peak < 2**30, f"peak RSS {peak / 2**20:.0f} MiB"


def with_bom_and_crlf(project: Path, bom: bool, crlf: bool) -> None:
    path = project / "docs/checklists/launch.md"
    text = path.read_text(encoding="utf-8")
    if crlf:
        text = text.replace("\n", "\r\n")
    path.write_bytes(("\ufeff" if bom else "").encode("utf-8") + text.encode("utf-8"))


@pytest.mark.parametrize("bom,crlf", [(True, False), (False, True), (True, True)], ids=["bom", "crlf", "bom-crlf"])
def test_bom_and_crlf_pages_are_read_like_any_other(tmp_path, bom, crlf):
    project = data_copy(tmp_path)
    plain = run_prepare(project).pages["checklists/launch.md"]
    with_bom_and_crlf(project, bom, crlf)
    page = run_prepare(project).pages["checklists/launch.md"]
    assert page.meta == plain.meta and page.body == plain.body and page.lines == plain.lines
