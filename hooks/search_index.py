"""Hook: search with Pagefind, plus the query layer (kb.search_layer).

- on_pre_build: load and check data/synonyms.yml and data/query_words.yml
  (before anything is written, like the other data files);
- on_page_content: keep each page's indexed text, for the vocabulary;
- on_post_build: run Pagefind over site/, then write assets/search-layer.json
  (it names the navigator step pages by their Pagefind ids).

Works the same in `mkdocs build` and `mkdocs serve`.
"""

from __future__ import annotations

import _setup  # noqa: F401
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

from kb import build as kb_build
from kb import search_layer
from kb.errors import DataError

log = get_plugin_logger(__name__)

_state: dict = {}


def on_config(config, **_):
    _state.clear()  # nothing survives between rebuilds of `mkdocs serve`
    return config


def on_pre_build(*, config) -> None:
    build = kb_build.current(config)
    try:
        query = search_layer.load_query_data(build.data_dir, build.glossary, build.tags, build.pages)
        search_layer.check_synonym_targets(query, search_layer.source_text(build.pages, build.data_dir))
    except DataError as error:
        raise PluginError(str(error)) from None
    _state["query"] = query
    _state["texts"], _state["headings"], _state["titles"] = [], [], []
    _state["situations"] = {}
    _state["aliases"] = {}


def on_page_content(html: str, *, page, config, files) -> str:
    text, headings = search_layer.page_text(html)
    _state["texts"].append(str(page.title or "") + " " + text)
    _state["headings"].extend(headings + [str(page.title or "")])
    _state["titles"].append(str(page.title or ""))
    _state["situations"][page.url] = search_layer.page_situations(html)
    _state["aliases"][page.url] = [str(a) for a in page.meta.get("aliases") or []]
    return html


def on_post_build(*, config) -> None:
    site_dir = Path(config.site_dir)
    query = _state["query"]
    try:
        off = search_layer.ablated()
        cut = search_layer.cutter(search_layer.segmenter(query.concepts | set(_state["titles"]), query.stopwords))
        summary = search_layer.run_pagefind(site_dir, cut, off)
        steps = search_layer.step_page_ids(site_dir)
        kinds = search_layer.page_kinds(site_dir, _state["aliases"])
        situations = search_layer.situations_by_id(site_dir, _state["situations"])
        layer = search_layer.build_layer(_state["texts"], _state["headings"], query, cut, steps, kinds, situations, off)
        size = search_layer.write_layer(site_dir, layer)
    except DataError as error:
        raise PluginError(str(error)) from None
    log.info("search: Pagefind indexed %s; query layer %d bytes", summary, size)
