"""Hook: search with Pagefind, plus the query layer (kb.search_layer).

- on_pre_build: load and check data/synonyms.yml and data/query_words.yml
  (before anything is written, like the other data files);
- on_page_content: keep each page's indexed text, for the vocabulary;
- on_post_build: run Pagefind over site/, then write assets/search-layer.json
  and assets/search-tables.json (page kinds and situations by Pagefind id).

`mkdocs build` does all of it every time. `mkdocs serve` (kb.serve_cache)
keeps jieba loaded, copies the last index into each rebuilt site and builds a
new one in the background only when the text it reads changed, so that an
edit shows without waiting for the index.
"""

from __future__ import annotations

import _setup  # noqa: F401
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

from kb import build as kb_build
from kb import search_layer, serve_cache
from kb.errors import DataError

log = get_plugin_logger(__name__)

_state: dict = {}
_indexer: dict = {}
OUTPUTS = ("pagefind", search_layer.LAYER_PATH, search_layer.TABLES_PATH)


def on_config(config, **_):
    _state.clear()  # nothing survives between rebuilds of `mkdocs serve` (kb.serve_cache keeps what may)
    return config


def on_pre_build(*, config) -> None:
    build = kb_build.current(config)
    try:
        query = search_layer.load_query_data(build.data_dir, build.glossary, build.tags, build.pages)
        search_layer.check_synonym_targets(query, search_layer.source_text(build.pages, build.data_dir))
    except DataError as error:
        raise PluginError(str(error)) from None
    _state["query"] = query
    _state["pages"] = []  # (title, rendered content, site path, aliases) per page


def on_page_content(html: str, *, page, config, files) -> str:
    _state["pages"].append((str(page.title or ""), html, page.url, tuple(str(a) for a in page.meta.get("aliases") or [])))
    return html


def _texts(pages):
    """Each page parsed once: texts, headings, titles, and {site path: situations}."""
    texts, headings, titles, situations = [], [], [], {}
    for title, html, url, _aliases in pages:
        text, found, situations[url] = search_layer.page_parts(html)
        texts.append(title + " " + text)
        headings.extend(found + [title])
        titles.append(title)
    return texts, headings, titles, situations


def _index(site_dir: Path, query, pages) -> tuple[str, int]:
    """Pagefind over ``site_dir``, then the query layer; (summary, layer bytes)."""
    texts, headings, titles, situations = _texts(pages)
    off = search_layer.ablated()
    tokenizer = serve_cache.tokenizer(search_layer.segmenter, query.concepts | set(titles), query.stopwords)
    cut = search_layer.cutter(tokenizer)
    summary, fragments = search_layer.run_pagefind(site_dir, cut, off)
    kinds = search_layer.page_kinds(fragments, {url: list(aliases) for _t, _h, url, aliases in pages})
    layer = search_layer.build_layer(texts, headings, query, cut, kinds, search_layer.situations_by_id(fragments, situations), off)
    return summary, search_layer.write_layer(site_dir, layer)


def on_post_build(*, config) -> None:
    site_dir = Path(config.site_dir)
    query, pages = _state["query"], _state["pages"]
    if serve_cache.serving():
        indexer = _indexer.setdefault("it", serve_cache.Indexer(OUTPUTS))
        restored = indexer.restore(site_dir)
        key = serve_cache.fingerprint([repr(sorted(vars(query).items(), key=lambda kv: kv[0]))] + [t + "\x01" + h + "\x01" + u + "\x01" + "|".join(a) for t, h, u, a in pages])
        queued = indexer.submit(key, site_dir, lambda snapshot: _index(snapshot, query, pages))
        for message in indexer.errors:
            log.warning("search index (preview): %s", message)
        indexer.errors.clear()
        log.info("search (preview): %s; %s", "last index copied in" if restored else "no index yet", "a new one is being built in the background" if queued else "the text it reads did not change")
        return
    try:
        summary, size = _index(site_dir, query, pages)
    except DataError as error:
        raise PluginError(str(error)) from None
    log.info("search: Pagefind indexed %s; query layer %d bytes", summary, size)
