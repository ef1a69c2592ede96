"""Hook: the site's own scripts, minified in the built site (kb.assets)."""

from __future__ import annotations

import _setup  # noqa: F401
from pathlib import Path

from mkdocs.plugins import get_plugin_logger

from kb import assets

log = get_plugin_logger(__name__)


def on_post_build(*, config) -> None:
    before, after = assets.minify_scripts(Path(config.site_dir), Path(config.docs_dir))
    log.info("scripts: %d -> %d bytes minified", before, after)
