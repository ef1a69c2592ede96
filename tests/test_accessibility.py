"""axe-core in a real Chromium on one page of every page type, light and dark.

Fails on violations whose impact is serious or critical and prints, for each,
the rule id, the elements (CSS targets), what axe says is wrong, and its help.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from siteutil import ROOT

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FAIL_ON = ("serious", "critical")


TREE = ROOT / "data" / "decision_tree.yml"


def _tree_nodes() -> dict[str, str]:
    """One question node and one result node of the decision tree. Without the
    data file the two entries stay, pointing at a page that does not exist, so
    the tests that use them fail instead of quietly checking fewer pages."""
    if not TREE.exists():
        return {"navigator-question": "navigator/missing-decision-tree/", "navigator-result": "navigator/missing-decision-tree/"}
    nodes = yaml.safe_load(TREE.read_text(encoding="utf-8"))["nodes"]
    out = {}
    for kind in ("question", "result"):
        node = next((n for n in nodes if n["kind"] == kind), None)
        out[f"navigator-{kind}"] = f"navigator/{node['id']}/" if node else f"navigator/no-{kind}-node/"
    return out


#: page type -> URL path under the site root. Shared with test_html_validity.py.
SAMPLE: dict[str, str] = {
    "home": "",
    "section-index": "tactics/",
    "tactic": "tactics/seed-users/",  # an article: tactics and basics pages
    "case": "cases/xiaomi/",
    "checklist": "checklists/launch/",
    "kit-templates": "kit/templates/",
    "kit-plan": "kit/launch-plan/",
    "comparison": "platforms/wechat-vs-qq/",
    "navigator-start": "navigator/",
    **_tree_nodes(),
    "glossary": "glossary/",
    "mindmap": "mindmap/",
    "diagram": "basics/structure/",
    "tags": "tags/",
    "sources": "sources/",
    "404": "404.html",
}


def sample_file(site: Path, path: str) -> Path:
    return site / (path if path.endswith(".html") else path + "index.html")


def site_kinds() -> dict[str, str]:
    """URL path -> page type, for every page the build writes, read from the
    sources the way the hooks decide what to render."""
    from kb.build import prepare, read_nav
    from kb.markers import find_markers
    from kb.pages import page_url

    build = prepare(ROOT, ROOT / "docs", read_nav(ROOT))
    out = {"404.html": "404"}
    for rel, page in build.pages.items():
        if rel == "404.md":
            continue
        names = {m.name for m in find_markers(page.body)}
        if rel == "index.md":
            kind = "home"
        elif page.meta.get("checklist"):
            kind = "checklist"
        elif page.meta.get("case"):
            kind = "case"
        elif names & {"navigator-start", "glossary", "mindmap", "sources"}:
            kind = sorted(names & {"navigator-start", "glossary", "mindmap", "sources"})[0]
        elif "<!-- material/tags -->" in page.body:
            kind = "tags"
        elif "show=summary" in page.body and "comparison" in names:
            kind = "comparison"  # the page that is a whole comparison, not a table embedded in an article
        elif rel.endswith("index.md"):
            kind = "section-index"
        elif rel.startswith("kit/"):
            kind = "kit-templates" if "```" in page.body else "kit-plan"  # copyable templates, or a plan of linked steps
        elif "diagram" in names:
            kind = "diagram"  # an article with a diagram from data/diagrams.yml
        else:
            kind = "tactic"  # an article (tactics and basics)
        out[page_url(rel)] = kind
    for nid, node in (build.tree.nodes.items() if build.tree else ()):
        out[page_url(build.tree.page(nid))] = f"navigator-{node['kind']}"
    return out


def test_sample_covers_every_page_type(built_site):
    """Every type of page the build writes has a sampled page, and each sample is of its type."""
    kinds = site_kinds()
    examples: dict[str, str] = {}
    for path, kind in sorted(kinds.items()):
        examples.setdefault(kind, path)
    unsampled = {kind: path for kind, path in examples.items() if kind not in SAMPLE}
    assert not unsampled, f"page types the build writes but the sample misses (type: an example): {unsampled}"
    wrong = {}
    for kind, path in SAMPLE.items():
        if not sample_file(built_site, path).exists():
            wrong[kind] = f"{path} is not in the built site"
        elif kinds.get(path) != kind:
            wrong[kind] = f"{path} is a '{kinds.get(path)}' page"
    assert not wrong, wrong


def format_violations(violations: list[dict]) -> str:
    out = []
    for v in violations:
        out.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:8]:
            out.append(f"    target: {' '.join(node['target'])}")
            out.append(f"      html: {' '.join(node['html'].split())[:160]}")
            summary = " ".join(node["failureSummary"].split())
            out.append(f"      why:  {summary[:300]}")
        if len(v["nodes"]) > 8:
            out.append(f"    … and {len(v['nodes']) - 8} more elements")
    return "\n".join(out)


@pytest.fixture(scope="module", params=["light", "dark"])
def axe_page(browser, request):
    """One tab per colour scheme, with axe-core loaded into every page it opens."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (or `make test`, which runs it)")
    context = browser.new_context(locale="zh-CN", service_workers="block", color_scheme=request.param)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    yield request.param, page
    context.close()


@pytest.mark.parametrize("kind", list(SAMPLE))
def test_no_serious_accessibility_violations(kind, axe_page, server):
    scheme, page = axe_page
    page.goto(server.url + SAMPLE[kind], wait_until="load")
    # Material picks the palette from prefers-color-scheme: both get checked.
    assert page.get_attribute("body", "data-md-color-scheme") == ("slate" if scheme == "dark" else "default")
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.map(String), html: n.html, failureSummary: n.failureSummary || ""})),
            }));
        }"""
    )
    bad = [v for v in violations if v["impact"] in FAIL_ON]
    if bad:
        pytest.fail(f"{SAMPLE[kind] or '/'} ({scheme}):\n" + format_violations(bad), pytrace=False)


def test_every_tap_target_is_big_enough_on_a_phone(browser, server):
    """axe's target-size (WCAG 2.5.8, which Lighthouse scores too) on every
    sampled page at 390 px: a link or button is 24 px or has room around it."""
    context = browser.new_context(locale="zh-CN", service_workers="block", viewport={"width": 390, "height": 844}, has_touch=True)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    bad = []
    for kind, path in SAMPLE.items():
        page.goto(server.url + path, wait_until="load")
        found = page.evaluate("async () => (await axe.run(document, {runOnly: ['target-size']})).violations.flatMap(v => v.nodes.map(n => n.target.join(' ')))")
        bad += [f"{path or '/'}: {t}" for t in found[:5]]
    context.close()
    assert not bad, "\n".join(bad)


#: States that scripts add after load: the shared-progress panel and badges,
#: the storage notice, the mind map's zoom and fold controls (folded).
STATES = {
    "checklist-shared-progress": ("checklists/launch/?done=goal-written,rules-posted,gone-item", ".kb-shared", ""),
    "checklist-no-storage": ("checklists/launch/", ".kb-checklist__notice:not([hidden])", "Storage.prototype.setItem = () => { throw new DOMException('full', 'QuotaExceededError'); }"),
    "mindmap-unfolded": ("mindmap/", ".kb-mm__bar", ""),
    "checklist-copy-by-hand": ("checklists/launch/", ".kb-checklist__bar", "Object.defineProperty(navigator, 'clipboard', { get: () => undefined }); document.execCommand = () => false;"),
    "checklist-reset-undo": ("checklists/launch/", ".kb-checklist__bar", ""),
}


@pytest.mark.parametrize("state", list(STATES))
def test_no_serious_violations_in_script_added_states(state, axe_page, server, browser):
    scheme, page = axe_page
    path, ready, init = STATES[state]
    if init:
        page = page.context.new_page()
        page.add_init_script(init)
    page.goto(server.url + path, wait_until="load")
    if state == "checklist-no-storage":
        page.locator(".kb-check__box").first.check()
    page.locator(ready).first.wait_for()
    if state == "mindmap-unfolded":
        page.get_by_role("button", name="全部展开").click()
    if state == "checklist-copy-by-hand":
        page.get_by_role("button", name="复制文本").click()
        page.locator(".kb-checklist__field").wait_for()
    if state == "checklist-reset-undo":
        page.locator(".kb-check__box").first.check()
        page.get_by_role("button", name="全部重置").click()
        page.get_by_role("button", name="撤销").wait_for()
    # Clicking scrolls, and Material's header then fades the page title in: axe
    # reads colours mid-fade (4.39:1) unless the transitions have finished.
    page.evaluate("() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)))")
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
            nodes: v.nodes.map(n => ({target: n.target.map(String), html: n.html, failureSummary: n.failureSummary || ""})),
        }))"""
    )
    bad = [v for v in violations if v["impact"] in FAIL_ON]
    if init:
        page.close()
    if bad:
        pytest.fail(f"{path} [{state}] ({scheme}):\n" + format_violations(bad), pytrace=False)
