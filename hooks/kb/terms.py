"""One spelling per proper noun and term: data/terms.yml, and where a text
uses a rejected variant.

The file lists each term's spelling and the variants the site does not use.
``load_terms`` checks it (schema, then meaning: a term listed once, a variant
under one term only, a variant that is not itself a term and does not occur
inside its own term, which would flag every correct use). ``find_variants``
is what the text-hygiene test runs over docs/ and data/.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import DataError
from .yamlio import load_schema, load_yaml, validate_schema

REL = "data/terms.yml"


@dataclass(frozen=True)
class Term:
    term: str
    variants: tuple[str, ...]


def load_terms(data_dir: Path, rel: str = REL) -> list[Term]:
    data, lines = load_yaml(data_dir / "terms.yml", rel)
    validate_schema(data, load_schema(data_dir / "schemas" / "terms.schema.json"), rel, lines)
    spellings = {entry["term"]: i for i, entry in enumerate(data["terms"])}
    seen_terms: dict[str, int] = {}
    seen_variants: dict[str, str] = {}
    terms = []
    for i, entry in enumerate(data["terms"]):
        term = entry["term"]
        path = ("terms", i, "term")
        if term in seen_terms:
            raise DataError(rel, f"the term '{term}' is listed twice", fix=f"merge its variants into the first entry (terms[{seen_terms[term]}])", path=path, line=lines.near(path), zh=f"「{term}」写了两次", zh_fix=f"把它的 variants 并到第一处（terms[{seen_terms[term]}]）")
        seen_terms[term] = i
        for j, variant in enumerate(entry["variants"]):
            vpath = ("terms", i, "variants", j)
            if variant in spellings:
                raise DataError(rel, f"the variant '{variant}' of '{term}' is itself a term of this file", fix="a spelling is either the site's or rejected: remove one of the two", path=vpath, line=lines.near(vpath), zh=f"「{term}」的不采用写法「{variant}」本身又是这个文件里的一个 term", zh_fix="一种写法要么采用、要么不采用：删掉其中一处")
            if variant in term:
                raise DataError(rel, f"the variant '{variant}' occurs inside the term '{term}', so every correct use would be rejected", fix="list only spellings that differ from the term", path=vpath, line=lines.near(vpath), zh=f"不采用的写法「{variant}」就在「{term}」里面，每次正确的写法都会被当成错", zh_fix="只列和 term 不同的写法")
            if variant in seen_variants:
                raise DataError(rel, f"the variant '{variant}' is listed under '{seen_variants[variant]}' and '{term}'", fix="keep it under one term", path=vpath, line=lines.near(vpath), zh=f"写法「{variant}」同时列在「{seen_variants[variant]}」和「{term}」下面", zh_fix="只留在一个 term 下")
            seen_variants[variant] = term
        terms.append(Term(term, tuple(entry["variants"])))
    return terms


def find_variants(text: str, terms: list[Term]) -> list[tuple[str, str, int]]:
    """(variant, term, column) for every rejected spelling in one line of text."""
    found = []
    for term in terms:
        for variant in term.variants:
            start = text.find(variant)
            while start != -1:
                found.append((variant, term.term, start + 1))
                start = text.find(variant, start + 1)
    return found
