"""Tooltips show data as text: hovering or focusing any of them runs nothing.

Material's ``content.tooltips`` builds its tooltip from an element's ``title``
with ``innerHTML``, so a glossary definition holding ``<img onerror=…>`` in a
``title`` ran on every page that used the term, although the attribute was
escaped. Every kind of tooltip the site has is hovered (and focused) here, on a
site whose data files hold a payload in every text field that can reach one:
glossary definitions (term tooltips), diagram and mind-map labels (SVG
``<title>``), decision-tree and comparison text, checklist items.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from siteutil import StaticServer, mkdocs_build, project_copy_to

#: Counts itself when it runs, in any of the usual ways text becomes script.
RUN = "window.__kbRan=(window.__kbRan||0)+1"
#: r() is RUN (an init script defines it), to keep the payloads short.
PAYLOAD = "<img src=x onerror=r()><svg onload=r()></svg><script>r()</script>"
#: For fields of at most 20 characters (diagram and mind-map labels).
SHORT = "<svg onload=r()>"


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")


def _strings(obj, names, short=False):
    """Add the payload to every string field in ``names``, at any depth."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key in names and isinstance(value, str):
                obj[key] = value[:2] + SHORT if short else value[:60] + PAYLOAD
            else:
                _strings(value, names, short)
    elif isinstance(obj, list):
        for value in obj:
            _strings(value, names, short)


def inject(project: Path) -> None:
    data = project / "data"
    # Terms and ids stay as they are, so the terms still get their tooltips.
    _edit(data / "glossary.yml", lambda d: _strings(d, {"definition"}))
    _edit(data / "diagrams.yml", lambda d: _strings(d, {"title", "text", "note"}, short=True))  # labels: 12 characters, too short for a payload
    _edit(data / "mindmap.yml", lambda d: _strings(d, {"text"}, short=True))
    _edit(data / "decision_tree.yml", lambda d: _strings(d, {"title", "label", "hint", "summary", "explanation"}))
    _edit(data / "platforms.yml", lambda d: _strings(d, {"value", "note", "need", "why", "name"}))


@pytest.fixture(scope="module")
def tooltip_site(tmp_path_factory) -> Path:
    project = project_copy_to(tmp_path_factory.mktemp("tooltips") / "project")
    inject(project)
    site = project.parent / "site"
    result = mkdocs_build(site, project=project)
    assert result.returncode == 0, result.stdout + result.stderr
    return site


PAGES = ["basics/what-is-community/", "tactics/seed-users/", "basics/lifecycle/", "mindmap/", "navigator/", "platforms/wechat-vs-qq/", "glossary/"]

#: Everything that shows a tooltip: elements with a title (Material's
#: tooltips, the browser's own), glossary terms, SVG shapes with a <title>.
TIPPED = "main [title], main [data-kb-tip], main abbr, main svg title"


@pytest.mark.browser
def test_hovering_every_tooltip_runs_no_script(tooltip_site, browser):
    ran, dialogs, hovered, kinds = [], [], 0, set()
    with StaticServer(tooltip_site, "/") as server:
        context = browser.new_context(locale="zh-CN", service_workers="block")
        context.add_init_script(f"window.r = () => {{ {RUN} }};")
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in PAGES:
            page.goto(server.url + path, wait_until="load")
            page.wait_for_timeout(300)
            targets = page.eval_on_selector_all(
                TIPPED,
                """els => els.map((e, i) => {
                    const t = e.tagName.toLowerCase() === 'title' ? e.parentElement : e;
                    t.setAttribute('data-kb-probe', String(i));
                    return [i, e.matches('[data-kb-tip]') ? 'term' : e.tagName.toLowerCase() === 'title' ? 'svg' : e.matches('abbr') ? 'abbr' : 'title'];
                })""",
            )
            for index, kind in targets[:60]:
                probe = page.locator(f"[data-kb-probe='{index}']").first
                try:
                    probe.scroll_into_view_if_needed(timeout=2000)
                    probe.hover(timeout=2000, force=True)
                    probe.focus(timeout=1000)
                except Exception:  # noqa: BLE001 - hidden or off-screen: dispatch the events instead
                    probe.dispatch_event("mouseover")
                    probe.dispatch_event("focusin")
                page.wait_for_timeout(60)
                hovered += 1
                kinds.add(kind)
            count = page.evaluate("window.__kbRan || 0")
            injected = page.eval_on_selector_all("img[src='x'], main svg[onload], body script:not([src])", "els => els.filter(e => /__kbRan/.test(e.outerHTML)).length")
            if count or injected:
                ran.append(f"{path}: {count} script(s) ran, {injected} element(s) injected")
        assert not ran and not dialogs, (ran, dialogs)
        # The definitions reached the tooltips, as text.
        page.goto(server.url + "basics/what-is-community/", wait_until="load")
        term = page.locator("main [data-kb-tip]").first
        term.hover()
        tip = page.locator("#kb-tip")
        tip.wait_for(state="visible", timeout=3000)
        shown = tip.inner_text()
        context.close()
    assert {"term", "svg"} <= kinds, kinds
    assert hovered > 30
    assert "<img src=x onerror=r()>" in shown, shown
