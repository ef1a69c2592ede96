"""What a reader sees on a phone (390 px) and a laptop (1280 px), light and
dark: the item a teammate linked lands in view below whatever is sticky, the
checklist bar stays one line and nothing floats over a control, links cut
short by a chat app never break the page, a reset can be undone, a failed copy
shows the text selected, unticked boxes are visible in the dark palette, and
the labels of every picture are at least 12 CSS px on a phone.
"""

from __future__ import annotations

import base64

import pytest

pytestmark = pytest.mark.browser

LAUNCH = "checklists/launch/"
WIDTHS = {"phone": (390, 844), "laptop": (1280, 800)}
SCHEMES = {"light": "light", "dark": "dark"}
WECHAT_UA = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
    "Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560(0x28002F35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64"
)
NO_CLIPBOARD = "Object.defineProperty(navigator, 'clipboard', { get: () => undefined }); document.execCommand = () => false;"


@pytest.fixture
def open_as(browser, server):
    """open_as(width_name, scheme, path, **context options) -> page, errors."""
    contexts = []

    def _open(width: str, scheme: str, path: str, init: str | None = None, clipboard: bool = False, wait: bool = True):
        w, h = WIDTHS[width]
        ctx = browser.new_context(
            locale="zh-CN", service_workers="block", viewport={"width": w, "height": h}, color_scheme=scheme,
            user_agent=WECHAT_UA if width == "phone" else None, has_touch=width == "phone",
        )
        contexts.append(ctx)
        if clipboard:
            ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url.rstrip("/"))
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        if init:
            page.add_init_script(init)
        page.goto(server.url + path)
        if wait:
            page.wait_for_load_state("load")
            page.wait_for_timeout(400)  # past the landing's second pass
        return page, errors

    yield _open
    for ctx in contexts:
        ctx.close()


def _ids(page) -> list[str]:
    return page.locator(".kb-check").evaluate_all("els => els.map(e => e.id)")


# What covers the top of the window: the fixed header, the sticky tabs, and the
# checklist bar when it is stuck. Returns the target's box and that bottom line.
LANDED = """sel => {
  const target = document.querySelector(sel);
  const text = target.querySelector('.kb-check__text') || target;
  let covered = 0;
  for (const el of document.querySelectorAll('.md-header, .md-tabs, .kb-checklist__bar, .md-top')) {
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden' || cs.opacity === '0') continue;
    const r = el.getBoundingClientRect();
    if (!r.height) continue;
    const stuck = (cs.position === 'fixed' || cs.position === 'sticky') && r.top <= parseFloat(cs.top || '0') + 1 && r.top < 200;
    if (stuck) covered = Math.max(covered, r.bottom);
  }
  const t = text.getBoundingClientRect();
  return { top: t.top, bottom: t.bottom, covered, height: innerHeight, targeted: target.classList.contains('is-target') || target.matches(':target') };
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_a_linked_checklist_item_lands_fully_visible_below_the_bar(open_as, server, width, scheme):
    page, errors = open_as(width, scheme, LAUNCH)
    ids = _ids(page)
    # First load with the item's hash: an item in the last part of the list,
    # which the window cannot scroll to the middle of (the report's case).
    page.goto("about:blank")  # a new load, not a same-page hash change
    page.goto(server.url + LAUNCH + "#" + ids[-5])
    page.wait_for_load_state("load")
    page.wait_for_timeout(400)
    landed = page.evaluate(LANDED, f"#{ids[-5]}")
    assert landed["targeted"], landed
    assert landed["top"] >= landed["covered"] - 0.5 and landed["bottom"] <= landed["height"], landed
    # A hashchange within the page (a link to another item).
    page.evaluate("id => { location.hash = '#' + id; }", ids[-1])
    page.wait_for_timeout(400)
    landed = page.evaluate(LANDED, f"#{ids[-1]}")
    assert landed["targeted"], landed
    assert landed["top"] >= landed["covered"] - 0.5 and landed["bottom"] <= landed["height"], landed
    assert not errors, errors


def _first_id(page, selector: str) -> str:
    return page.locator(selector).first.get_attribute("id")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("where", ["heading", "kit-day", "glossary-term", "checklist-after-list"])
def test_other_in_page_targets_land_below_what_is_sticky(open_as, server, width, scheme, where):
    path, selector = {
        "heading": ("tactics/seed-users/", ".md-content h2[id]"),
        "kit-day": ("kit/launch-plan/", ".md-content h3[id^='day-']"),
        "glossary-term": ("glossary/", ".kb-glossary dt[id]"),
        "checklist-after-list": (LAUNCH, ".md-content h2[id]"),
    }[where]
    page, errors = open_as(width, scheme, path)
    ids = page.locator(selector).evaluate_all("els => els.map(e => e.id)")
    assert len(ids) >= 2, (path, selector)
    target = ids[len(ids) // 2]
    page.goto("about:blank")
    page.goto(server.url + path + "#" + target)
    page.wait_for_load_state("load")
    page.wait_for_timeout(400)
    landed = page.evaluate(LANDED, f"[id='{target}']")
    assert landed["top"] >= landed["covered"] - 0.5 and landed["bottom"] <= landed["height"], landed
    page.evaluate("id => { location.hash = '#' + id; }", ids[-1])
    page.wait_for_timeout(400)
    landed = page.evaluate(LANDED, f"[id='{ids[-1]}']")
    assert landed["top"] >= landed["covered"] - 0.5, landed
    assert not errors, errors


BAR_HEIGHT = "() => document.querySelector('.kb-checklist__bar').getBoundingClientRect().height"


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_checklist_bar_is_one_line_on_a_phone_in_every_state(open_as, server, scheme):
    page, errors = open_as("phone", scheme, LAUNCH, clipboard=True)
    heights = {"start": page.evaluate(BAR_HEIGHT)}
    page.locator(".kb-check__box").nth(0).check()
    page.get_by_role("button", name="复制进度链接").click()
    page.wait_for_timeout(200)
    heights["progress link copied"] = page.evaluate(BAR_HEIGHT)
    page.get_by_role("button", name="复制文本").click()
    page.wait_for_timeout(200)
    heights["text copied"] = page.evaluate(BAR_HEIGHT)
    page.get_by_role("button", name="全部重置").click()
    page.wait_for_timeout(200)
    heights["reset, with undo"] = page.evaluate(BAR_HEIGHT)
    ids = _ids(page)
    page.goto(f"{server.url}{LAUNCH}?done={ids[0]},{ids[1]}")
    page.locator(".kb-shared").wait_for()
    heights["shared progress"] = page.evaluate(BAR_HEIGHT)
    page.get_by_role("button", name="采用对方的进度").click()
    page.wait_for_timeout(200)
    heights["shared progress taken"] = page.evaluate(BAR_HEIGHT)
    tall = {state: h for state, h in heights.items() if h > 56}
    assert not tall, heights
    assert not errors, errors


@pytest.mark.parametrize("width", WIDTHS)
def test_what_a_bar_button_shows_is_part_of_its_name(open_as, width):
    """Voice control users say what they see: a label shortened on a phone
    stays a part of the button's accessible name (WCAG 2.5.3)."""
    page, errors = open_as(width, "light", LAUNCH)
    buttons = page.locator(".kb-checklist__buttons button")
    assert buttons.count() >= 3
    for i in range(buttons.count()):
        button = buttons.nth(i)
        shown = button.inner_text().strip()
        name = button.get_attribute("aria-label") or shown
        assert shown and shown in name, (width, shown, name)
    assert not errors, errors


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_failed_copy_shows_the_text_selected_and_closes_itself(open_as, server, scheme):
    page, errors = open_as("phone", scheme, LAUNCH, init=NO_CLIPBOARD)
    page.locator(".kb-check__box").nth(1).check()
    for name, expected in (("复制文本", "kbChecklistText(document.querySelector('.kb-checklist'))"), ("复制进度链接", None)):
        page.get_by_role("button", name=name).click()
        field = page.locator(".kb-checklist__field")
        assert field.is_visible(), name
        value = field.input_value()
        if expected:
            assert value == page.evaluate(expected)
        else:
            assert "?done=" in value
        selected = page.evaluate("() => { const f = document.activeElement; return [f.className, f.selectionStart, f.selectionEnd, f.value.length]; }")
        assert selected == ["kb-checklist__field", 0, len(value), len(value)], selected
        assert page.evaluate(BAR_HEIGHT) <= 56
        # The reader copies it by hand: the field closes itself.
        page.evaluate("() => document.querySelector('.kb-checklist__field').dispatchEvent(new ClipboardEvent('copy', { bubbles: true }))")
        page.wait_for_timeout(300)
        assert field.is_hidden(), name
        assert page.get_by_role("button", name="复制文本").is_visible()
    # Messages close themselves too.
    page.wait_for_timeout(4300)
    assert page.locator(".kb-checklist__status").inner_text() == ""
    assert not errors, errors


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_floating_covers_a_control(open_as, server, width, scheme):
    page, errors = open_as(width, scheme, LAUNCH, clipboard=True)
    page.get_by_role("button", name="复制进度链接").click()
    # Scroll down into the list, then up a little: Material shows its 「回到顶部」 pill when scrolling up.
    for y in (600, 900, 1200):
        page.mouse.wheel(0, 300)
        page.wait_for_timeout(80)
    page.mouse.wheel(0, -250)
    page.wait_for_timeout(400)
    covered = page.evaluate("""() => {
      const out = [];
      for (const el of document.querySelectorAll('.kb-checklist__bar button, .kb-check__box, .kb-check__link')) {
        const r = el.getBoundingClientRect();
        if (!r.width || r.bottom < 0 || r.top > innerHeight) continue;
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        if (y < 0 || y > innerHeight) continue;
        const hit = document.elementFromPoint(x, y);
        if (!hit || !(el === hit || el.contains(hit) || hit.closest('label') === el)) {
          if (hit && hit.closest('.md-header')) continue; /* scrolled under the header, not covered by a float */
          out.push((el.textContent || el.className).trim() + ' under ' + (hit ? hit.tagName + '.' + hit.className : 'nothing'));
        }
      }
      return out;
    }""")
    assert not covered, covered
    assert not errors, errors


BROKEN = ["#%E4%BD", "#%", "#%E4%BD%A0%", "?done=%", "?done=%E4%BD", "?done=a%2", "?done=%E4%BD#%"]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_links_cut_short_by_a_chat_app_never_break_the_page(open_as, server, width, scheme):
    page, errors = open_as(width, scheme, LAUNCH)
    ids = _ids(page)
    for broken in BROKEN:
        url = server.url + LAUNCH + (broken if broken.startswith("#") else broken.replace("?done=", f"?done={ids[0]},"))
        page.goto(url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(250)
        assert page.get_by_role("button", name="复制进度链接").count() == 1, broken
        page.locator(".kb-check__box").nth(3).check()
        assert "已完成" in page.locator(".kb-checklist__progress").inner_text()
        if "done=" in broken:
            assert "对方已完成 1/" in page.locator(".kb-shared").inner_text(), broken
        page.evaluate("() => { location.hash = '#%E4%BD'; }")
        page.wait_for_timeout(100)
    assert not errors, errors


def test_thousands_of_unknown_ids_are_summarised(open_as, server):
    page, errors = open_as("phone", "light", LAUNCH)
    ids = _ids(page)
    unknown = [f"gone-item-{n}" for n in range(3000)]
    page.goto(f"{server.url}{LAUNCH}?done={ids[0]}," + ",".join(unknown))
    note = page.locator(".kb-shared__unknown")
    note.wait_for()
    text = note.inner_text()
    assert "找不到了" in text and len(text) < 200, text[:300]
    assert "gone-item-0" in text and "gone-item-2999" not in text
    assert page.locator(".kb-shared").bounding_box()["height"] < 400
    assert not errors, errors


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
def test_reset_all_can_be_undone(open_as, server, width, scheme):
    page, errors = open_as(width, scheme, LAUNCH)
    ids = _ids(page)
    for n in (0, 2, 4):
        page.locator(".kb-check__box").nth(n).check()
    page.get_by_role("button", name="全部重置").click()
    assert page.locator(".kb-check__box:checked").count() == 0
    page.get_by_role("button", name="撤销").click()
    assert page.locator(".kb-check__box:checked").count() == 3
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('kb-checklist:checklists/launch'))")
    assert sorted(stored) == sorted([ids[0], ids[2], ids[4]])
    assert page.locator(".kb-checklist__progress").inner_text() == f"已完成 3/{len(ids)}"
    assert not errors, errors


# --- Dark palette: an unticked box stands out from the page --------------------------

CONTRAST = """async ([png, bg]) => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + png;
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.width; c.height = img.height;
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0);
  const d = g.getImageData(0, 0, c.width, c.height).data;
  const lum = (r, gg, b) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(gg) + 0.0722 * f(b); };
  const lb = lum(bg[0], bg[1], bg[2]);
  let strong = 0;
  for (let i = 0; i < d.length; i += 4) {
    const l = lum(d[i], d[i + 1], d[i + 2]);
    if ((Math.max(l, lb) + 0.05) / (Math.min(l, lb) + 0.05) >= 3) strong++;
  }
  return strong / (d.length / 4);
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", SCHEMES)
def test_an_unticked_box_has_3_to_1_contrast_with_the_page(open_as, server, width, scheme):
    page, _errors = open_as(width, scheme, LAUNCH)
    box = page.locator(".kb-check__box").nth(1)
    box.scroll_into_view_if_needed()
    assert not box.is_checked()
    bg = page.evaluate("""() => { const m = getComputedStyle(document.body).backgroundColor.match(/\\d+/g).map(Number); return m.slice(0, 3); }""")
    png = base64.b64encode(box.screenshot()).decode()
    # A box drawn by an outline of at least 2 CSS px all round at 3:1 against
    # the page (WCAG 1.4.11) has about 40% of its pixels at 3:1; the browser's
    # own box in the dark palette (a grey square, a thin edge) about 19%.
    share = page.evaluate(CONTRAST, [png, bg])
    assert share >= 0.3, f"only {share:.0%} of the unticked box's pixels stand out 3:1 from the page ({scheme})"


# --- Pictures: labels at least 12 CSS px on a phone ---------------------------------

LABEL_PX = """sel => {
  const out = [];
  for (const svg of document.querySelectorAll(sel)) {
    const ctm = svg.getScreenCTM();
    if (!ctm || !svg.getBoundingClientRect().width) continue;
    for (const t of svg.querySelectorAll('text')) {
      if (!t.getBBox().width) continue;
      const size = parseFloat(getComputedStyle(t).fontSize) * ctm.a;
      out.push([Math.round(size * 10) / 10, t.textContent.slice(0, 12)]);
    }
  }
  return out;
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("path,selector", [
    ("navigator/", ".kb-dt svg"),
    ("navigator/new-group-sales/", ".kb-path svg"),
    ("basics/lifecycle/", ".kb-dg svg"),
    ("basics/structure/", ".kb-dg svg"),
    ("basics/roles/", ".kb-dg svg"),
], ids=["navigator-tree", "navigator-path", "lifecycle", "structure", "roles"])
def test_picture_labels_are_at_least_12px_on_a_phone(open_as, server, scheme, path, selector):
    page, errors = open_as("phone", scheme, path)
    sizes = page.evaluate(LABEL_PX, selector)
    assert len(sizes) >= 4, sizes
    small = [s for s in sizes if s[0] < 12]
    assert not small, f"{len(small)} of {len(sizes)} labels under 12 px: {small[:5]}"
    # And the picture is still reachable: it scrolls sideways instead of overflowing the page.
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth + 1")
    assert not errors, errors
