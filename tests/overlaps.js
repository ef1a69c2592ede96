/* Find text that overlaps other text or an icon, in the page as rendered.
 * Run in the page (Playwright's page.evaluate): kbFindOverlaps(selector)
 * returns a list of {a, b, overlap} descriptions, empty when nothing collides.
 *
 * Boxes collected inside `selector`:
 * - text: one box per line of every visible text node (Range.getClientRects),
 *   and one per <tspan>/<text> of inline SVG;
 * - icons: inline <svg> icons (Material's .md-icon, twemoji) and absolutely
 *   positioned ::before/::after pseudo-elements that draw something (the
 *   admonition and details icons are these: no DOM node, so their box comes
 *   from their computed left/top/right/width/height in the containing block).
 * Text boxes are trimmed to the middle of the glyph box (25% off top and
 * bottom) so that two lines of one paragraph never count, while a glyph drawn
 * on another glyph or an icon always does. Boxes clipped away by a scroll
 * container are left out. */
(function () {
  "use strict";

  function visible(el) {
    for (var node = el; node && node.nodeType === 1; node = node.parentElement) {
      var cs = getComputedStyle(node);
      if (cs.display === "none" || cs.visibility === "hidden" || cs.opacity === "0") return false;
    }
    return true;
  }

  /* The rect left after clipping by every scrolling/overflow-hidden ancestor. */
  function clipRect(el, r) {
    var out = { left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    for (var node = el.parentElement; node && node !== document.body; node = node.parentElement) {
      var cs = getComputedStyle(node);
      if (cs.overflowX !== "visible" || cs.overflowY !== "visible" || cs.clip !== "auto" || (cs.clipPath && cs.clipPath !== "none")) {
        var c = node.getBoundingClientRect();
        if (cs.clip !== "auto" || (cs.clipPath && cs.clipPath !== "none")) {
          if (c.width <= 2 || c.height <= 2) return null; /* visually hidden */
        }
        out.left = Math.max(out.left, c.left); out.top = Math.max(out.top, c.top);
        out.right = Math.min(out.right, c.right); out.bottom = Math.min(out.bottom, c.bottom);
      }
    }
    if (out.right - out.left < 1 || out.bottom - out.top < 1) return null;
    return out;
  }

  function describe(el) {
    var parts = [];
    for (var node = el; node && node.nodeType === 1 && parts.length < 4; node = node.parentElement) {
      var name = node.tagName.toLowerCase();
      if (node.id) { parts.unshift(name + "#" + node.id); break; }
      var cls = (node.getAttribute("class") || "").trim().split(/\s+/).filter(Boolean)[0];
      parts.unshift(cls ? name + "." + cls : name);
    }
    return parts.join(" > ");
  }

  function textBoxes(root, boxes) {
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    var range = document.createRange();
    var node;
    while ((node = walker.nextNode())) {
      if (!node.nodeValue.trim()) continue;
      var el = node.parentElement;
      if (!el || el.closest("script, style, noscript, title, desc")) continue;
      if (el.closest("svg")) continue; /* SVG text below, per <tspan> */
      if (!visible(el)) continue;
      range.selectNodeContents(node);
      var rects = range.getClientRects();
      for (var i = 0; i < rects.length; i++) addText(boxes, el, rects[i], node.nodeValue.trim().slice(0, 24));
    }
    var svgText = root.querySelectorAll("svg text");
    for (var j = 0; j < svgText.length; j++) {
      var t = svgText[j];
      if (!visible(t)) continue;
      var spans = t.querySelectorAll("tspan");
      var parts = spans.length ? spans : [t];
      for (var k = 0; k < parts.length; k++) addText(boxes, parts[k], parts[k].getBoundingClientRect(), parts[k].textContent.trim().slice(0, 24));
    }
  }

  function addText(boxes, el, r, label) {
    if (r.width < 2 || r.height < 2) return;
    var trim = r.height * 0.25;
    var clipped = clipRect(el, { left: r.left + 1, right: r.right - 1, top: r.top + trim, bottom: r.bottom - trim });
    if (clipped) boxes.push({ kind: "text", el: el, r: clipped, label: "text「" + label + "」 in " + describe(el) });
  }

  function px(v) { var n = parseFloat(v); return isNaN(n) ? null : n; }

  function containingBlock(el) {
    for (var node = el; node && node.nodeType === 1; node = node.parentElement) {
      var cs = getComputedStyle(node);
      if (cs.position !== "static" || cs.transform !== "none") return node;
    }
    return document.documentElement;
  }

  function iconBoxes(root, boxes) {
    var all = root.querySelectorAll("*");
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      if (el.closest("svg") && el.tagName.toLowerCase() !== "svg") continue;
      if (el.tagName.toLowerCase() === "svg") {
        /* Icons, not pictures: small inline SVGs without text. */
        var r = el.getBoundingClientRect();
        if (r.width > 0 && r.width <= 48 && r.height <= 48 && !el.querySelector("text") && visible(el)) {
          var c = clipRect(el, r);
          if (c) boxes.push({ kind: "icon", el: el, r: c, label: "icon <svg> in " + describe(el.parentElement) });
        }
        continue;
      }
      ["::before", "::after"].forEach(function (pseudo) {
        var cs = getComputedStyle(el, pseudo);
        if (!cs.content || cs.content === "none" || cs.content === "normal") return;
        if (cs.position !== "absolute" && cs.position !== "fixed") return;
        if (cs.display === "none" || cs.visibility === "hidden" || cs.opacity === "0") return;
        var draws = (cs.maskImage && cs.maskImage !== "none") || (cs.webkitMaskImage && cs.webkitMaskImage !== "none") ||
          (cs.backgroundImage && cs.backgroundImage !== "none") || (cs.backgroundColor && !/rgba\(.*,\s*0\)$/.test(cs.backgroundColor) && cs.backgroundColor !== "transparent") ||
          (cs.content !== '""' && cs.content !== "''");
        if (!draws) return;
        var w = px(cs.width), h = px(cs.height);
        if (!w || !h || w < 2 || h < 2) return;
        if (!visible(el)) return;
        var cb = containingBlock(el);
        var cr = cb.getBoundingClientRect();
        var ccs = getComputedStyle(cb);
        var padLeft = cr.left + px(ccs.borderLeftWidth), padTop = cr.top + px(ccs.borderTopWidth);
        var padRight = cr.right - px(ccs.borderRightWidth), padBottom = cr.bottom - px(ccs.borderBottomWidth);
        var left = px(cs.left), top = px(cs.top), right = px(cs.right), bottom = px(cs.bottom);
        var x = left !== null && cs.left !== "auto" ? padLeft + left : (right !== null ? padRight - right - w : null);
        var y = top !== null && cs.top !== "auto" ? padTop + top : (bottom !== null ? padBottom - bottom - h : null);
        if (x === null || y === null) return;
        var box = clipRect(el, { left: x, top: y, right: x + w, bottom: y + h });
        if (box) boxes.push({ kind: "icon", el: el, r: box, label: "icon " + pseudo + " of " + describe(el) });
      });
    }
  }

  function overlap(a, b) {
    var w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    var h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    return w > 1 && h > 1 ? { w: w, h: h } : null;
  }

  window.kbFindOverlaps = function (selector) {
    var roots = document.querySelectorAll(selector || "body");
    var boxes = [];
    for (var i = 0; i < roots.length; i++) { textBoxes(roots[i], boxes); iconBoxes(roots[i], boxes); }
    boxes.sort(function (a, b) { return a.r.top - b.r.top; });
    var found = [];
    for (var p = 0; p < boxes.length; p++) {
      for (var q = p + 1; q < boxes.length && boxes[q].r.top < boxes[p].r.bottom; q++) {
        var a = boxes[p], b = boxes[q];
        if (a.kind === "icon" && b.kind === "icon") continue;
        if (a.el === b.el && a.kind === "text" && b.kind === "text") continue; /* one text's own lines */
        var o = overlap(a.r, b.r);
        if (o) found.push({ a: a.label, b: b.label, overlap: Math.round(o.w) + "×" + Math.round(o.h) + " px at " + Math.round(Math.max(a.r.left, b.r.left)) + "," + Math.round(Math.max(a.r.top, b.r.top) + window.scrollY) });
      }
    }
    return { boxes: boxes.length, texts: boxes.filter(function (b) { return b.kind === "text"; }).length, icons: boxes.filter(function (b) { return b.kind === "icon"; }).length, overlaps: found };
  };
})();
