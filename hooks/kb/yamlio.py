"""Load YAML the way editors need: clear errors and a line for every value.

``load_yaml`` returns the data and a ``Lines`` map from YAML paths such as
``("nodes", 3, "options", 0, "next")`` to 1-based line numbers, so that a
validation error can point into the file. Duplicate keys, which PyYAML would
silently overwrite, are errors.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from .errors import DataError


class Lines(dict):
    """YAML path (tuple) -> 1-based line number."""

    def near(self, path: tuple | list) -> int | None:
        """The line of ``path`` or of its closest ancestor that has one."""
        path = tuple(path)
        while True:
            if path in self:
                return self[path]
            if not path:
                return None
            path = path[:-1]


# libyaml's parser when PyYAML has it (the PyPI wheels do): parsing was most of
# the hooks' build time with the pure-Python one.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose_and_construct(text: str) -> tuple[yaml.Node | None, Any]:
    """Parse once: the node tree (for line numbers) and the data built from it."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def _walk(node: yaml.Node, path: tuple, lines: Lines, rel: str) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                raise DataError(
                    rel,
                    f"key '{key}' appears twice (first on line {seen[key]})",
                    fix="keep one of them; YAML would silently drop the first",
                    path=path,
                    line=line,
                )
            seen[key] = line
            lines[path + (key,)] = line
            _walk(value_node, path + (key,), lines, rel)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), lines, rel)


def parse_yaml(text: str, rel: str, line_offset: int = 0) -> tuple[Any, Lines]:
    """Parse YAML text; errors name ``rel`` and the line (plus ``line_offset``)."""
    try:
        node, data = _compose_and_construct(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark else None
        problem = exc.problem or str(exc)
        raise DataError(
            rel,
            f"this is not valid YAML: {problem}",
            fix="check the indentation and quoting on that line (strings with ': ' or '#' need quotes)",
            line=line,
        ) from None
    except yaml.YAMLError as exc:
        raise DataError(rel, f"this is not valid YAML: {exc}", fix="check the file's syntax") from None
    lines = Lines()
    if node is not None:
        _walk(node, (), lines, rel)
        if line_offset:
            for key in lines:
                lines[key] += line_offset
    return data, lines


def read_text(path: Path, rel: str) -> str:
    """Read a UTF-8 file; invalid bytes become a DataError with the line."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            rel,
            f"the file is not valid UTF-8 (byte {exc.start})",
            fix="save the file as UTF-8 in your editor",
            line=line,
        ) from None


def load_yaml(path: Path, rel: str) -> tuple[Any, Lines]:
    """Read and parse a YAML data file."""
    data, lines = parse_yaml(read_text(path, rel), rel)
    if data is None:
        raise DataError(rel, "the file is empty", fix="restore its content (see git history) or remove the file", line=1)
    return data, lines


_SCHEMAS: dict[Path, dict] = {}


def load_schema(path: Path) -> dict:
    """Read a JSON Schema once per process (schemas are part of the code)."""
    if path not in _SCHEMAS:
        _SCHEMAS[path] = json.loads(path.read_text(encoding="utf-8"))
    return _SCHEMAS[path]


def _explain(error: jsonschema.ValidationError) -> tuple[str, str]:
    """An editor-facing message and fix for one schema error."""
    validator = error.validator
    if validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed)) if isinstance(error.instance, dict) else []
        return (
            f"unknown key {', '.join(repr(k) for k in extra)}",
            f"check the spelling; allowed keys here: {', '.join(allowed)}",
        )
    if validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"the key '{missing}' is missing", f"add '{missing}:' here"
    if validator == "type":
        expected = error.validator_value
        got = type(error.instance).__name__
        names = {"object": "a mapping (key: value)", "array": "a list (- item)", "string": "text", "integer": "a whole number"}
        want = names.get(expected, expected) if isinstance(expected, str) else " or ".join(names.get(e, e) for e in expected)
        return f"expected {want} but found {got} {error.instance!r:.60}", f"write {want} here"
    if validator == "enum":
        options = ", ".join(str(v) for v in error.validator_value)
        return f"{error.instance!r} is not one of the allowed values", f"use one of: {options}"
    if validator == "pattern":
        return (
            f"{error.instance!r} does not have the required form",
            f"it must match {error.validator_value} (ids: lowercase ASCII letters, digits and hyphens)",
        )
    if validator == "minItems":
        return f"needs at least {error.validator_value} item(s)", "add the missing items"
    if validator == "minLength":
        return "must not be empty", "write a value"
    if validator == "maxLength":
        return f"is longer than {error.validator_value} characters", "shorten it"
    if validator == "uniqueItems":
        return "contains the same value twice", "remove the duplicate"
    return error.message, "see the schema in data/schemas/ for what is allowed here"


def validate_schema(data: Any, schema: dict, rel: str, lines: Lines, base_path: tuple = ()) -> None:
    """Validate against a JSON Schema; raise the most relevant error, located."""
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if not errors:
        return
    error = jsonschema.exceptions.best_match(errors)
    # Prefer the deepest error along the same branch: it is the most specific.
    while error.context:
        error = jsonschema.exceptions.best_match(error.context)
    path = base_path + tuple(error.absolute_path)
    message, fix = _explain(error)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        # Point at the misspelt key itself, not at the mapping that holds it.
        path += tuple(sorted(set(error.instance) - set(error.schema.get("properties", {}))))[:1]
    raise DataError(rel, message, fix=fix, path=path, line=lines.near(path))
