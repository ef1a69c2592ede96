"""Hook: check all data and pages before the build writes anything; add each
page's furniture (sources line and footnotes, related pages, aliases, glossary
tooltips through kb.glossary_abbr) and render the glossary, sources, case-table
and diagram markers.

Must stay the first hook in mkdocs.yml: it prepares what the others use.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from markupsafe import Markup

import _setup  # noqa: F401  (puts hooks/ on sys.path)
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger

from kb import build as kb_build
from kb import content, diagrams, serve_cache
from kb.errors import DataError
from kb.glossary_abbr import GlossaryExtension, glossary_terms
from kb.markers import replace_markers
from kb.permalinks import redirect_map

log = get_plugin_logger(__name__)


def on_startup(*, command, dirty) -> None:
    serve_cache.start(command, dirty)  # `mkdocs serve` keeps the search index, jieba and the templates between rebuilds


@event_priority(110)  # before any plugin renders a template in its own on_env ("first" is 100)
def on_env(env, *, config, files):
    if serve_cache.serving():
        env.bytecode_cache = serve_cache.template_cache()  # the theme compiled once, not on every rebuild
    return env


def on_serve(server, *, config, builder):
    """While serving, a rebuild that stops on bad data shows its message in the
    browser (every page becomes the message, the live reload brings it up) and
    the next good save brings the site back, instead of page requests waiting
    for a build that never finishes."""
    rebuild = server.builder

    def guarded() -> None:
        _errors.clear()
        try:
            rebuild()
        except (Exception, SystemExit) as error:  # MkDocs ends a failed build with Abort, a SystemExit
            message = _errors[-1] if _errors else str(error)
            if not _errors:
                log.error("%s", message)  # on_config errors: MkDocs has not printed them
            shown = serve_cache.show_error(Path(config.site_dir), message)
            log.error("the preview shows this message on its %d pages until the next good save", shown)

    server.builder = guarded
    return server


_errors: list[str] = []


def on_build_error(*, error) -> None:
    _errors.append(str(error))


def on_config(config, **_):
    kb_build.forget()  # nothing survives between rebuilds of `mkdocs serve`
    if not config.site_url:
        # INFO, not WARNING: `mkdocs build --strict` must still pass without it.
        log.info("SITE_URL is not set: pages get no canonical link or og:url and sitemap.xml lists relative locations; set SITE_URL=https://<host>/<path>/ when building for the address the site is published at")
    # Glossary tooltips: the extension gets an empty dict now, filled once the
    # glossary is loaded and checked in on_pre_build.
    config["kb_glossary_terms"] = terms = {}
    config.markdown_extensions.append(GlossaryExtension(terms))
    root = Path(config.config_file_path).parent
    redirects = config.plugins.get("redirects")
    if redirects is not None:
        try:
            maps = redirect_map(root / "data", Path(config.docs_dir))
        except DataError as error:
            raise PluginError(str(error)) from None
        redirects.config["redirect_maps"].update(maps)
    return config


def on_pre_build(*, config) -> None:
    root = Path(config.config_file_path).parent
    try:
        build = kb_build.prepare(root, Path(config.docs_dir), config.nav)
    except DataError as error:
        raise PluginError(str(error)) from None
    kb_build.remember(config, build)
    config["kb_glossary_terms"].update(glossary_terms(build.glossary))
    log.debug("checked %d pages and the data files", len(build.pages))


def on_page_markdown(markdown: str, *, page, config, files) -> str:
    build = kb_build.current(config)
    rel = page.file.src_uri
    source = build.pages.get(rel)
    if "<!-- kb:" in markdown:
        markdown = replace_markers(markdown, "glossary", lambda _m: content.render_glossary(build.glossary, build.index, rel, build.sources))
        markdown = replace_markers(markdown, "sources", lambda _m: content.render_sources_page(build.sources, build.pages, build.index, rel))
        markdown = replace_markers(markdown, "case-table", lambda _m: content.render_case_table(build.pages, build.order, build.index, rel))
        markdown = replace_markers(markdown, "diagram", lambda m: diagrams.render_diagram(build.diagrams, m.positional()[0], build.index, rel))
    # The theme prints titles both raw (nav, tabs, search) and through `| e`
    # (footer labels): an escaped Markup string comes out right in both.
    if source is None:  # generated pages escape their own title and add their own furniture
        if isinstance(page.meta.get("title"), str):
            page.meta["title"] = Markup(page.meta["title"])
        return markdown
    if isinstance(page.meta.get("title"), str):
        page.meta["title"] = Markup(escape(source.meta["title"], quote=False))
    tail = [
        content.render_aliases(source.meta),
        content.render_source_line(source.meta, build.sources, build.index, rel),
        content.render_related(build.related.related(rel), build.pages, build.index, rel),
    ]
    tail = "\n\n".join(part for part in tail if part)
    situations = content.render_questions(source.meta.get("questions"))
    return (
        (situations + "\n\n" if situations else "")
        + markdown
        + ("\n\n" + tail + "\n" if tail else "")
        + content.source_footnotes(markdown, build.sources, build.index, rel)
    )
