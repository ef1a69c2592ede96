"""Load YAML the way editors need: clear errors and a line for every value.

``load_yaml`` returns the data and a ``Lines`` map from YAML paths such as
``("nodes", 3, "options", 0, "next")`` to 1-based line numbers, so that a
validation error can point into the file. Duplicate keys, which PyYAML would
silently overwrite, are errors.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
from pathlib import Path
from typing import Any, Callable

import jsonschema
import yaml

from .errors import DataError, format_path


class Lines(dict):
    """YAML path (tuple) -> 1-based line number.

    ``columns`` gives the 1-based column of the same paths; ``text`` and
    ``offset`` are the parsed text and the lines before it in its file (page
    front matter), so that an error can show the line and try a fix."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.columns: dict[tuple, int] = {}
        self.text: str = ""
        self.offset: int = 0

    @staticmethod
    def _as_text(path: tuple) -> tuple:
        """A key YAML read as a number (``1:``) is recorded by its text."""
        return path[:-1] + (str(path[-1]),) if path and isinstance(path[-1], (int, float, bool)) else path

    def near(self, path: tuple | list) -> int | None:
        """The line of ``path`` or of its closest ancestor that has one."""
        path = tuple(path)
        while True:
            if path in self:
                return self[path]
            if self._as_text(path) in self:
                return self[self._as_text(path)]
            if not path:
                return None
            path = path[:-1]

    def column(self, path: tuple | list) -> int | None:
        path = tuple(path)
        return self.columns.get(path, self.columns.get(self._as_text(path)))


# libyaml's parser when PyYAML has it (the PyPI wheels do): parsing was most of
# the hooks' build time with the pure-Python one.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Nesting deeper than this is refused before anything walks it (a mind map
#: is a few levels deep; 300 levels crashed the build with a RecursionError).
MAX_DEPTH = 60

#: Characters no editor means to type: C0/C1 controls (tab, newline kept), and
#: invisible ones that make two equal-looking words differ or reorder a line.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_INVISIBLE = "\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
FORBIDDEN = re.compile(f"[{_CONTROL}{_INVISIBLE}]")
_NAMES = {
    "\x00": "NUL", "\x1b": "ESC", "\x7f": "DEL", "\u00ad": "soft hyphen", "\u200b": "zero width space",
    "\u200c": "zero width non-joiner", "\u200d": "zero width joiner", "\u200e": "left-to-right mark",
    "\u200f": "right-to-left mark", "\u202a": "left-to-right embedding", "\u202b": "right-to-left embedding",
    "\u202c": "pop directional formatting", "\u202d": "left-to-right override", "\u202e": "right-to-left override",
    "\u2060": "word joiner", "\u2066": "left-to-right isolate", "\u2067": "right-to-left isolate",
    "\u2068": "first strong isolate", "\u2069": "pop directional isolate", "\ufeff": "zero width no-break space (BOM)",
}


_CHAR_ZH = {
    "\x00": "空字符 NUL", "\x1b": "转义符 ESC", "\x7f": "删除符 DEL", "\u00ad": "软连字符", "\u200b": "零宽空格",
    "\u200c": "零宽不连字", "\u200d": "零宽连字", "\u200e": "从左到右方向标记", "\u200f": "从右到左方向标记",
    "\u202a": "从左到右嵌入", "\u202b": "从右到左嵌入", "\u202c": "方向格式结束", "\u202d": "从左到右强制方向",
    "\u202e": "从右到左强制方向", "\u2060": "零宽不换行", "\u2066": "从左到右隔离", "\u2067": "从右到左隔离",
    "\u2068": "方向隔离", "\u2069": "方向隔离结束", "\ufeff": "零宽不换行空格（BOM）",
}


def _char_error(rel: str, char: str, line: int | None, column: int | None, excerpt: list) -> DataError:
    code = f"U+{ord(char):04X}"
    name = _NAMES.get(char, "control character")
    name_zh = _CHAR_ZH.get(char, "控制字符" if re.match(f"[{_CONTROL}]", char) else "不可见字符")
    if re.match(f"[{_CONTROL}]", char):
        return DataError(
            rel,
            f"a control character {code} ({name}) is in the text; it does not print and would reach the pages",
            fix="delete it (it often comes with text pasted from a terminal or a chat); retype the characters around it if unsure",
            zh=f"文字里有一个控制字符 {code}（{name_zh}），它显示不出来，却会被带进网页",
            zh_fix="把它删掉（常见于从终端或聊天软件粘贴的文字）；拿不准就把这一处附近的字重新打一遍",
            line=line, column=column, excerpt=excerpt,
        )
    return DataError(
        rel,
        f"an invisible character {code} ({name}) is in the text: words that look the same would differ, or the line would show in another order",
        fix="delete it; retype the word around it if unsure",
        zh=f"文字里有一个看不见的字符 {code}（{name_zh}）：看起来一样的词会变成两个不同的词，或者一行字的方向会被颠倒",
        zh_fix="把它删掉；拿不准就把这个词重新打一遍",
        line=line, column=column, excerpt=excerpt,
    )


def excerpt(text: str, line: int, offset: int = 0, before: int = 1, after: int = 1) -> list[tuple[int, str]]:
    """``[(file line, text)]`` around ``line`` (a line of the file, ``offset``
    lines before ``text`` starts)."""
    rows = text.split("\n")
    index = line - offset - 1
    return [(i + offset + 1, rows[i]) for i in range(max(0, index - before), min(len(rows), index + after + 1))]


def check_characters(text: str, rel: str, line_offset: int = 0) -> None:
    """Refuse control, zero-width and direction characters, with their line and column."""
    found = FORBIDDEN.search(text)
    if found is None:
        return
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
    shown = [(n, FORBIDDEN.sub(lambda m: f"<U+{ord(m.group()):04X}>", t)) for n, t in excerpt(text, line + line_offset, line_offset, 0, 0)]
    raise _char_error(rel, found.group(), line + line_offset, column, shown)


def _indent(row: str) -> int:
    return len(row) - len(row.lstrip(" "))


def _content_rows(rows: list[str]) -> list[int]:
    return [i for i, row in enumerate(rows) if row.strip() and not row.lstrip().startswith("#")]


def _parses(text: str) -> bool:
    try:
        yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
        return True
    except yaml.YAMLError:
        return False


def _reindent_fix(text: str, near: int, accept: Callable[[str], bool]) -> tuple[int, int, int, int] | None:
    """Try moving one line near 0-based row ``near`` to the indentation of a
    neighbour; return (row, old indent, new indent, row of the neighbour) for
    the smallest change that ``accept`` takes, or None."""
    rows = text.split("\n")
    content = _content_rows(rows)
    if not content:
        return None
    # The line reported and the two content lines before it.
    candidates = [i for i in content if i <= near][-3:][::-1]
    if near in content and near not in candidates:
        candidates.insert(0, near)
    window = [i for i in content if abs(i - near) <= 4]

    def breaks(trial_rows: list[str]) -> int:
        """Changes of indentation between neighbouring lines around the error:
        of two fixes that both parse, the one that leaves the block even is
        the editor's slip (a line dedented by two, not the line after it)."""
        indents = [_indent(trial_rows[i]) for i in window]
        return sum(1 for a, b in zip(indents, indents[1:]) if a != b)

    found = []
    for row in candidates:
        old = _indent(rows[row])
        neighbours = [i for i in content if i != row and abs(content.index(i) - content.index(row)) <= 4]
        targets: dict[int, int] = {}
        for i in sorted(neighbours, key=lambda i: abs(i - row)):
            targets.setdefault(_indent(rows[i]), i)
        if rows[row - 1 if row else 0].rstrip().endswith(":") and row and row - 1 in content:
            targets.setdefault(_indent(rows[row - 1]) + 2, row - 1)
        for new in sorted(targets, key=lambda n: (abs(n - old), n)):
            if new == old:
                continue
            trial = rows[:row] + [" " * new + rows[row].lstrip(" ")] + rows[row + 1:]
            if accept("\n".join(trial)):
                found.append((breaks(trial), row, (row, old, new, targets[new])))
                break
    # the evenest block; of two as even, the earlier line (the first one out of step)
    return min(found)[2] if found else None


def _indent_error(rel: str, text: str, line_offset: int, fix: tuple[int, int, int, int], what_en: str, what_zh: str) -> DataError:
    row, old, new, sibling = fix
    rows = text.split("\n")
    key = rows[row].strip()
    key = key.split(":", 1)[0] + ":" if ":" in key else key
    sib = rows[sibling].strip()
    sib = sib.split(":", 1)[0] + ":" if ":" in sib else sib
    line, sibling_line = row + 1 + line_offset, sibling + 1 + line_offset
    delta = new - old
    if delta > 0:
        how_en, how_zh = f"add {delta} space(s) at its start", f"在这一行开头加 {delta} 个空格"
    else:
        how_en, how_zh = f"remove {-delta} space(s) from its start", f"把这一行开头删掉 {-delta} 个空格"
    return DataError(
        rel,
        f"line {line} ('{key}') is indented {old} space(s); {what_en}",
        fix=f"{how_en}, so that it is indented {new} spaces like '{sib}' on line {sibling_line}",
        zh=f"第 {line} 行（{key}）的缩进是 {old} 个空格，不对：{what_zh}",
        zh_fix=f"{how_zh}，改成 {new} 个空格，和第 {sibling_line} 行的「{sib}」对齐",
        line=line,
        column=old + 1,
        excerpt=[(n, t) for n, t in excerpt(text, line, line_offset, 2, 1)] if sibling_line >= line - 2 else excerpt(text, sibling_line, line_offset, 0, 0) + excerpt(text, line, line_offset, 0, 1),
    )


_PROBLEMS_ZH = {
    "mapping values are not allowed in this context": "这里出现了不该有的「: 」（冒号加空格）",
    "did not find expected key": "这里应该是一个字段（key: value），没有找到",
    "did not find expected '-' indicator": "这里应该是列表的一项（以「- 」开头）",
    "found unexpected end of stream": "文件在引号或括号还没有结束时就完了",
    "found undefined alias": "这里引用了一个不存在的 YAML 别名（*名字）",
    "found character that cannot start any token": "这一行有一个不能出现在这里的字符（常见的是 Tab 或行首的 @、`）",
}


def explain_syntax(text: str, exc: yaml.MarkedYAMLError, rel: str, line_offset: int = 0) -> DataError:
    error = _explain_syntax(text, exc, rel, line_offset)
    if not error.message.startswith("this is not valid YAML"):
        error.message = "this is not valid YAML: " + error.message
    return error


def _explain_syntax(text: str, exc: yaml.MarkedYAMLError, rel: str, line_offset: int = 0) -> DataError:
    """A YAML syntax error as an editor can act on it: which line, and the fix
    (found by trying the likely ones: one line re-indented, a value quoted)."""
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or str(exc)
    rows = text.split("\n")
    row = mark.line if mark else 0
    line = row + 1 + line_offset
    column = mark.column + 1 if mark else None
    # A tab used for indenting: YAML only allows spaces.
    tab_row = next((i for i in range(max(0, row - 1), min(len(rows), row + 2)) if rows[i][: len(rows[i]) - len(rows[i].lstrip())].count("\t")), None)
    if tab_row is not None:
        line = tab_row + 1 + line_offset
        return DataError(
            rel, "a tab is used for indenting; YAML only allows spaces",
            fix="replace the tab at the start of the line with spaces, as many as the lines around it use",
            zh="这一行用 Tab 缩进了；YAML 只认空格",
            zh_fix="把行首的 Tab 换成空格，个数和上下同级的行一样",
            line=line, column=1, excerpt=excerpt(text, line, line_offset, 1, 1),
        )
    fix = _reindent_fix(text, min(row, len(rows) - 1), _parses)
    if fix is not None:
        return _indent_error(rel, text, line_offset, fix, "YAML reads the lines by their indentation and cannot go on here", "YAML 靠缩进分层，这一行和上下的行对不齐，读不下去")
    # A value with ': ' (or ' #') in it: quoting the value fixes it.
    for i in (row, row - 1):
        if 0 <= i < len(rows):
            head, sep, value = rows[i].partition(": ")
            if sep and value.strip() and value.strip()[0] not in "\"'[{|>":
                quoted = head + ': "' + value.strip().replace("\\", "\\\\").replace('"', '\\"') + '"'
                if _parses("\n".join(rows[:i] + [quoted] + rows[i + 1:])):
                    line = i + 1 + line_offset
                    return DataError(
                        rel, "the value contains ': ' (or ' #'), which YAML reads as the start of another key (or a comment)",
                        fix=f"put the whole value in double quotes: {quoted.strip()}",
                        zh="这一行的值里有「: 」（冒号加空格）或「 #」，YAML 把它当成了新字段或注释",
                        zh_fix=f"把整个值用英文双引号括起来：{quoted.strip()}",
                        line=line, column=len(head) + 3, excerpt=excerpt(text, line, line_offset, 0, 0),
                    )
    zh = _PROBLEMS_ZH.get(problem, f"这里的 YAML 写法有错（{problem}）")
    return DataError(
        rel,
        f"this is not valid YAML: {problem}",
        fix="check the indentation and quoting on that line (strings with ': ' or '#' need quotes)",
        zh="YAML 格式不对：" + zh,
        zh_fix="对照上下同级的行检查这一行的缩进（只用空格）、引号和括号是否成对；值里有「: 」或「#」时用英文双引号把整个值括起来",
        line=line, column=column, excerpt=excerpt(text, line, line_offset, 1, 1) if mark else [],
    )


def _alias_error(text: str, rel: str, line_offset: int) -> DataError:
    """Locate the first alias (``*name``) in ``text``."""
    line = column = None
    name = ""
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent):
                line, column, name = event.start_mark.line + 1 + line_offset, event.start_mark.column + 1, event.anchor
                break
    except yaml.YAMLError:
        pass
    return DataError(
        rel,
        f"YAML aliases (*{name}) are not accepted in the data files: one line could repeat a value millions of times",
        fix=f"write the value out in full instead of *{name} (and remove the &{name} anchor)",
        zh=f"数据文件不支持 YAML 别名（*{name}）：一行别名就能把内容重复成百万份，拖垮构建",
        zh_fix=f"把 *{name} 换成它代表的内容本身，写完整（并删掉 &{name} 这个锚点）",
        line=line, column=column, excerpt=excerpt(text, line, line_offset, 0, 0) if line else [],
    )


def _compose(text: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _construct(node: yaml.Node) -> Any:
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _walk(root: yaml.Node, lines: Lines, rel: str, text: str, line_offset: int) -> None:
    """Record lines and columns; refuse duplicate keys, aliases (a node reached
    twice), nesting past MAX_DEPTH and forbidden characters in values (also
    when written as escapes like "\\e"). Iterative: no recursion limit."""
    seen_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, tuple, int]] = [(root, (), 0)]
    while stack:
        node, path, depth = stack.pop()
        if id(node) in seen_nodes:
            raise _alias_error(text, rel, line_offset)
        seen_nodes.add(id(node))
        line = node.start_mark.line + 1 + line_offset
        lines.setdefault(path, line)
        lines.columns.setdefault(path, node.start_mark.column + 1)
        if depth > MAX_DEPTH:
            raise DataError(
                rel,
                f"the data is nested more than {MAX_DEPTH} levels deep here",
                fix="a tree this deep cannot be read or shown; move the deepest branches up a few levels",
                zh=f"这里的内容嵌套超过了 {MAX_DEPTH} 层",
                zh_fix="这么深的层级既读不了也显示不了：把最深处的分支往上提几层",
                path=path[:8] + ("…",), line=line, column=node.start_mark.column + 1, excerpt=excerpt(text, line, line_offset, 0, 0),
            )
        if isinstance(node, yaml.ScalarNode):
            bad = FORBIDDEN.search(node.value)
            if bad:
                raise _char_error(rel, bad.group(), line, node.start_mark.column + 1, excerpt(text, line, line_offset, 0, 0))
        elif isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            children = []
            for key_node, value_node in node.value:
                key = key_node.value
                key_line = key_node.start_mark.line + 1 + line_offset
                if isinstance(key_node, yaml.ScalarNode) and FORBIDDEN.search(key):
                    bad = FORBIDDEN.search(key).group()
                    raise _char_error(rel, bad, key_line, key_node.start_mark.column + 1, excerpt(text, key_line, line_offset, 0, 0))
                if not isinstance(key_node, yaml.ScalarNode):
                    key = str(key)
                if key in seen:
                    raise DataError(
                        rel,
                        f"key '{key}' appears twice (first on line {seen[key]})",
                        fix="keep one of them; YAML would silently drop the first",
                        zh=f"字段「{key}」写了两次（第一次在第 {seen[key]} 行）",
                        zh_fix="只留一个；YAML 会悄悄丢掉前一个",
                        path=path,
                        line=key_line,
                        column=key_node.start_mark.column + 1,
                        excerpt=excerpt(text, key_line, line_offset, 0, 0),
                    )
                seen[key] = key_line
                lines[path + (key,)] = key_line
                lines.columns[path + (key,)] = key_node.start_mark.column + 1
                if id(key_node) in seen_nodes:
                    raise _alias_error(text, rel, line_offset)
                seen_nodes.add(id(key_node))
                children.append((value_node, path + (key,), depth + 1))
            stack.extend(reversed(children))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed([(item, path + (index,), depth + 1) for index, item in enumerate(node.value)]))


#: The last parse of each file (and front matter): {(rel, line offset): (hash
#: of the text, pickled (data, lines))}. `mkdocs serve` rebuilds after every
#: save and parsed every unchanged data file and front matter again (0.08 s).
#: A result depends on nothing but the text, ``rel`` and the offset; a text
#: that does not parse is not kept, so its error is raised on every build.
_PARSED: dict[tuple[str, int], tuple[bytes, bytes]] = {}


def parse_yaml(text: str, rel: str, line_offset: int = 0) -> tuple[Any, Lines]:
    """Parse YAML text; errors name ``rel`` and the line (plus ``line_offset``).
    Each call returns its own objects (a new copy of a cached parse), which
    the caller may change."""
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
    kept = _PARSED.get((rel, line_offset))
    if kept is not None and kept[0] == digest:
        return pickle.loads(kept[1])
    parsed = _parse_yaml(text, rel, line_offset)
    _PARSED[(rel, line_offset)] = (digest, pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))
    return parsed


def _parse_yaml(text: str, rel: str, line_offset: int = 0) -> tuple[Any, Lines]:
    check_characters(text, rel, line_offset)
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        raise explain_syntax(text, exc, rel, line_offset) from None
    except yaml.YAMLError as exc:
        raise DataError(rel, f"this is not valid YAML: {exc}", fix="check the file's syntax", zh=f"YAML 格式不对：{exc}", zh_fix="对照上下的行检查缩进、引号和括号") from None
    lines = Lines()
    lines.text, lines.offset = text, line_offset
    if node is None:
        return None, lines
    _walk(node, lines, rel, text, line_offset)
    try:
        data = _construct(node)
    except yaml.MarkedYAMLError as exc:
        raise explain_syntax(text, exc, rel, line_offset) from None
    return data, lines


def _restore_hint(rel: str) -> str:
    return f"git checkout -- {rel}"


def read_text(path: Path, rel: str) -> str:
    """Read a UTF-8 file as text with '\\n' line ends and no BOM; a missing
    file, a folder in its place or invalid bytes become a DataError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(
            rel, "the file is missing; the build needs it",
            fix=f"restore it from git: {_restore_hint(rel)}",
            zh="缺少这个文件：它不存在，构建离不开它",
            zh_fix=f"从 git 恢复它：{_restore_hint(rel)}",
        ) from None
    except IsADirectoryError:
        raise DataError(
            rel, "this is a folder, but the build needs a file here",
            fix=f"remove the folder and restore the file: rm -r {rel} && {_restore_hint(rel)}",
            zh="这里是一个文件夹，不是文件：构建需要的是同名的文件",
            zh_fix=f"删掉这个文件夹，再从 git 恢复文件：rm -r {rel} && {_restore_hint(rel)}",
        ) from None
    except OSError as exc:
        raise DataError(rel, f"the file cannot be read ({exc.strerror})", fix="check that it exists and can be read", zh=f"读不了这个文件（{exc.strerror}）", zh_fix="确认文件存在并且有读取权限") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = len(raw[raw.rfind(b"\n", 0, exc.start) + 1: exc.start].decode("utf-8", "replace")) + 1
        raise DataError(
            rel,
            f"the file is not valid UTF-8 (byte {exc.start})",
            fix="save the file as UTF-8 in your editor",
            zh="文件不是 UTF-8 编码，这一处的字节读不出来",
            zh_fix="在编辑器里把文件另存为 UTF-8 编码（VS Code：右下角的编码 → 通过编码保存 → UTF-8）",
            line=line,
            column=column,
        ) from None
    # A BOM and Windows line ends are what some editors save: read them as usual.
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def load_yaml(path: Path, rel: str) -> tuple[Any, Lines]:
    """Read and parse a YAML data file."""
    data, lines = parse_yaml(read_text(path, rel), rel)
    if data is None:
        raise DataError(
            rel, "the file is empty",
            fix=f"restore its content from git: {_restore_hint(rel)}",
            zh="文件是空的", zh_fix=f"从 git 恢复它的内容：{_restore_hint(rel)}",
            line=1, column=1,
        )
    return data, lines


_SCHEMAS: dict[Path, dict] = {}


def load_schema(path: Path) -> dict:
    """Read a JSON Schema once per process (schemas are part of the code); a
    missing, broken or invalid schema is a located DataError, not a traceback."""
    if path not in _SCHEMAS:
        rel = "data/schemas/" + path.name if path.parent.name == "schemas" else path.name
        text = read_text(path, rel)
        try:
            schema = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataError(
                rel, f"the schema is not valid JSON: {exc.msg}",
                fix=f"restore it from git: {_restore_hint(rel)}",
                zh=f"这个 JSON Schema 不是有效的 JSON（{exc.msg}）：文件可能被截断或改坏了",
                zh_fix=f"从 git 恢复它：{_restore_hint(rel)}",
                line=exc.lineno, column=exc.colno, excerpt=excerpt(text, exc.lineno, 0, 0, 0),
            ) from None
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.exceptions.SchemaError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "(top level)"
            line = None
            if exc.instance is not None and isinstance(exc.instance, (str, int)):
                needle = json.dumps(exc.instance, ensure_ascii=False)
                found = text.find(needle)
                line = text.count("\n", 0, found) + 1 if found >= 0 else None
            raise DataError(
                rel, f"the file is not a valid JSON Schema at {where}: {exc.message}",
                fix=f"restore it from git ({_restore_hint(rel)}) or correct that value",
                zh=f"这个文件不是有效的 JSON Schema（{where}：{exc.message}）",
                zh_fix=f"从 git 恢复它（{_restore_hint(rel)}），或者改正这个值",
                line=line, excerpt=excerpt(text, line, 0, 0, 0) if line else [],
            ) from None
        _SCHEMAS[path] = schema
    return _SCHEMAS[path]


_NAMES_EN = {"object": "a mapping (key: value)", "array": "a list (- item)", "string": "text", "integer": "a whole number", "boolean": "true or false", "number": "a number"}
_NAMES_ZH = {"object": "一组字段（key: value）", "array": "一个列表（- 项）", "string": "文字", "integer": "整数", "boolean": "true 或 false", "number": "数字", "null": "空值"}
_FOUND_ZH = {"str": "文字", "int": "整数", "float": "数字", "list": "列表", "dict": "一组字段", "bool": "true/false", "NoneType": "空值"}


def _keys(keys) -> list:
    return sorted(keys, key=str)


def _explain(error: jsonschema.ValidationError) -> tuple[str, str, str, str]:
    """An editor-facing message and fix for one schema error: (en, fix, zh, zh fix)."""
    validator = error.validator
    if validator == "additionalProperties":
        allowed = _keys(error.schema.get("properties", {}))
        extra = _keys(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        names = ", ".join(repr(k) for k in extra)
        return (
            f"unknown key {names}",
            f"check the spelling; allowed keys here: {', '.join(allowed)}",
            "未知的字段 " + "、".join(f"「{k}」" for k in extra),
            "检查拼写；这里能用的字段有：" + "、".join(allowed),
        )
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"the key '{missing}' is missing", f"add '{missing}:' here", f"缺少字段「{missing}」", f"在这里加上「{missing}: …」"
    if validator == "type":
        expected = error.validator_value
        got = type(error.instance).__name__
        expect = [expected] if isinstance(expected, str) else list(expected)
        want = " or ".join(_NAMES_EN.get(e, e) for e in expect)
        want_zh = "或".join(_NAMES_ZH.get(e, e) for e in expect)
        return (
            f"expected {want} but found {got} {error.instance!r:.60}",
            f"write {want} here",
            f"这里应该是{want_zh}，写成了{_FOUND_ZH.get(got, got)} {error.instance!r:.60}",
            f"在这里写{want_zh}",
        )
    if validator == "enum":
        options = ", ".join(str(v) for v in error.validator_value)
        return f"{error.instance!r} is not one of the allowed values", f"use one of: {options}", f"{error.instance!r} 不是允许的值", f"只能用其中之一：{'、'.join(str(v) for v in error.validator_value)}"
    if validator == "pattern":
        fix, zh_fix = _PATTERN_FIXES.get(error.validator_value, (
            f"it must match {error.validator_value} (see its description in data/schemas/)",
            f"要符合 {error.validator_value}（data/schemas/ 里这个字段的说明写了要求）"))
        return f"{error.instance!r} does not have the required form", fix, f"{error.instance!r} 的写法不符合要求", zh_fix
    if validator == "minItems":
        return f"needs at least {error.validator_value} item(s)", "add the missing items", f"至少要有 {error.validator_value} 项", "把缺的项补上"
    if validator == "minLength":
        return "must not be empty", "write a value", "不能是空的", "写上内容"
    if validator == "maxLength":
        return f"is longer than {error.validator_value} characters", "shorten it", f"超过了 {error.validator_value} 个字", "删短一些"
    if validator == "uniqueItems":
        return "contains the same value twice", "remove the duplicate", "同一个值写了两次", "删掉重复的那个"
    return error.message, "see the schema in data/schemas/ for what is allowed here", f"内容不符合要求（{error.message}）", "对照 data/schemas/ 里的说明改正这里"


#: The right fix for each form the schemas ask for (their "pattern"), by pattern.
_PATTERN_FIXES = {
    "^[a-z0-9]+(-[a-z0-9]+)*$": (
        "an id uses lowercase ASCII letters and digits, words joined by single hyphens (seed-users)",
        "id 只用小写英文字母和数字，词之间用一个连字符 - 连起来（如 seed-users）"),
    "^[0-9]{3}$": (
        "a source is cited by its three-digit code from data/sources.yml (002)",
        "来源写 data/sources.yml 里的三位编号（如 002），不带括号和 [^ ]"),
    "^[0-9]{4}-[0-9]{2}(-[0-9]{2})?$": (
        "write the date as YYYY-MM or YYYY-MM-DD (2024-05)",
        "日期写成 年-月 或 年-月-日，如 2024-05 或 2024-05-01"),
    "^https?://[^\\s\"'<>]+$": (
        "write the full address, starting with https:// and without spaces or quotes",
        "写完整网址：以 https:// 开头，中间不能有空格和引号"),
    "^[^#\\s]+\\.md(#[A-Za-z0-9_-]+)?$": (
        "link a page by its path under docs/, optionally with an anchor (tactics/seed-users.md#why)",
        "写 docs/ 下页面的路径，可以带锚点，如 tactics/seed-users.md#why；不要空格"),
    "^[^\\n<>]+$": (
        "one line of plain text, without line breaks or < >",
        "写成一行纯文字：不要换行，不要用 < >"),
    "^[A-Za-z0-9][A-Za-z0-9 .'&-]*$": (
        "English words only (letters, digits, spaces, . ' & -), starting with a letter or digit (seed users)",
        "这里只写英文：字母、数字、空格和 . ' & -，以字母或数字开头（如 seed users）；中文说法写进 aliases"),
    "^[^0-9]*$": (
        "a name readers see has no digits: the reader never sees the code (思维导图, not 001)",
        "读者看到的名字里不要数字编号：写「思维导图」这样的短名，不写 001"),
    "^/([a-z0-9]+(-[a-z0-9]+)*/)*$": (
        "a site path: lowercase words joined by hyphens, each part ending in / (/tactics/seed-users/)",
        "写网站路径：小写英文和连字符，每一段以 / 结尾，如 /tactics/seed-users/"),
    "^/?([a-z0-9]+(-[a-z0-9]+)*/)*(#[a-z0-9]+(-[a-z0-9]+)*)?$": (
        "a site path with an optional anchor: lowercase words joined by hyphens (/tactics/seed-users/#why)",
        "写网站路径，可以带锚点：小写英文和连字符，如 /tactics/seed-users/#why"),
}


def _first_error(data: Any, validator) -> jsonschema.ValidationError | None:
    errors = list(validator.iter_errors(data))
    if not errors:
        return None
    error = jsonschema.exceptions.best_match(errors)
    # Prefer the deepest error along the same branch: it is the most specific.
    while error.context:
        error = jsonschema.exceptions.best_match(error.context)
    return error


#: Texts already found valid against a schema in this process: `mkdocs serve`
#: rebuilds after every save, and validating unchanged files was half of the
#: checks' time. The key is the parsed text itself, so an edit is validated.
_VALID: set[tuple] = set()


def validate_schema(data: Any, schema: dict, rel: str, lines: Lines, base_path: tuple = ()) -> None:
    """Validate against a JSON Schema; raise the most relevant error, located."""
    key = (rel, lines.text, lines.offset, id(schema), base_path) if lines.text else None
    if key is not None and key in _VALID:
        return
    validator = jsonschema.Draft202012Validator(schema)
    error = _first_error(data, validator)
    if error is None:
        if key is not None:
            if len(_VALID) > 2000:
                _VALID.clear()
            _VALID.add(key)
        return
    path = base_path + tuple(error.absolute_path)
    message, fix, zh, zh_fix = _explain(error)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        # Point at the misspelt key itself, not at the mapping that holds it.
        path += tuple(_keys(set(error.instance) - set(error.schema.get("properties", {}))))[:1]
    line = lines.near(path)
    # A key indented like its parent's siblings (a line dedented by mistake)
    # reads as valid YAML but lands in the wrong mapping: if indenting that
    # one line makes the data valid, that is the fix to give.
    if line and lines.text and not base_path:
        row = line - lines.offset - 1

        def valid(text: str) -> bool:
            try:
                trial = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
            except yaml.YAMLError:
                return False
            return _first_error(trial, validator) is None

        found = _reindent_fix(lines.text, row, valid)
        if found is not None and found[0] == row:
            where = format_path(path)
            raise _indent_error(rel, lines.text, lines.offset, found, f"so YAML reads it as part of {where} ({message})", f"所以 YAML 把它读成了 {where}（{zh}）")
    column = lines.column(path)
    raise DataError(rel, message, fix=fix, zh=zh, zh_fix=zh_fix, path=path, line=line, column=column, excerpt=excerpt(lines.text, line, lines.offset, 0, 0) if line and lines.text else [])
