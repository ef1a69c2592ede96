"""Plain functions behind the site's MkDocs hooks.

Nothing in this package imports the MkDocs event API: loaders, validators and
renderers take and return plain data, so tests call them directly and the site
can move to another generator (Zensical) by rewriting only ``hooks/*.py``.
"""
