"""Hook: search with Pagefind, plus the query layer (kb.search_layer).

- on_pre_build: load and check data/synonyms.yml and data/query_words.yml
  (before anything is written, like the other data files);
- on_page_content: keep each page's indexed text, for the vocabulary;
- on_post_build: run Pagefind over site/, then write assets/search-layer.json
  and assets/search-tables.json (page kinds and situations by Pagefind id).

`mkdocs build` does all of it every time (kb.search_layer.index_site).
`mkdocs serve` (kb.serve_cache) copies the last index into each rebuilt site
and builds a new one in its worker process only when the text it reads
changed, so that an edit shows without waiting for the index.
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


def on_post_build(*, config) -> None:
    site_dir = Path(config.site_dir)
    query, pages = _state["query"], _state["pages"]
    if serve_cache.serving():
        if "it" not in _indexer:  # one per serve process
            _indexer["it"] = serve_cache.Indexer(OUTPUTS)
        indexer = _indexer["it"]
        restored = indexer.restore(site_dir)
        key = serve_cache.fingerprint([repr(sorted(vars(query).items(), key=lambda kv: kv[0]))] + [t + "\x01" + h + "\x01" + u + "\x01" + "|".join(a) for t, h, u, a in pages])
        queued = indexer.submit(key, site_dir, search_layer.index_site, query, pages)
        for message in indexer.errors:
            log.warning("search index (preview): %s", message)
        indexer.errors.clear()
        log.info("search (preview): %s; %s", "last index copied in" if restored else "no index yet", "a new one is being built in the worker process" if queued else "the text it reads did not change")
        return
    try:
        summary, size = search_layer.index_site(site_dir, query, pages)
    except DataError as error:
        raise PluginError(str(error)) from None
    log.info("search: Pagefind indexed %s; query layer %d bytes", summary, size)
