/* The mind map picture (/mindmap/ only), explored as in markmap: it opens at
 * the root and its branches, big enough to read (labels at least 12 CSS px);
 * a click or tap on a node folds or unfolds its children; 「↗」 after a label
 * opens the node's page; drag to pan, wheel or pinch to zoom; the buttons and
 * the keyboard (arrows, + and -) do the same. The view (zoom, position, which
 * nodes are open) is kept for the tab (sessionStorage) and comes back after
 * the back button.
 *
 * The tree is laid out at build time (hooks/kb/svg.py): every node is a
 * <g class="kb-mm__n"> placed relative to its parent, with its size in
 * data-w/data-h. place() below is svg.mm_place: folding re-places the groups
 * without measuring anything in the page. Without JavaScript the whole map is
 * drawn unfolded in a box that scrolls. */
(function () {
  "use strict";
  var GAP_X = 30, GAP_Y = 8, LABEL = 14, MIN_PX = 12, MAX_K = 4;
  var MIN_K = 0.15;

  function kidsOf(g) {
    var box = g.querySelector(":scope > .kb-mm__kids");
    return box ? Array.prototype.filter.call(box.children, function (c) { return c.classList.contains("kb-mm__n"); }) : [];
  }
  function num(g, name) { return parseFloat(g.getAttribute(name)) || 0; }

  /* svg.mm_place: returns [subtree height, the node's top within it]. */
  function place(g) {
    var h = num(g, "data-h"), w = num(g, "data-w");
    var kids = g.classList.contains("is-folded") ? [] : kidsOf(g);
    if (!kids.length) return [h, 0];
    var sizes = kids.map(place);
    var block = sizes.reduce(function (a, s) { return a + s[0]; }, 0) + GAP_Y * (kids.length - 1);
    var sub = Math.max(h, block), own = (sub - h) / 2, y = (sub - block) / 2;
    kids.forEach(function (k, i) {
      var ky = y + sizes[i][1] - own;
      k.setAttribute("transform", "translate(" + (w + GAP_X) + " " + ky + ")");
      var link = k.querySelector(":scope > .kb-mm__link");
      var sy = h - ky, kh = num(k, "data-h"), mid = -GAP_X / 2;
      if (link) link.setAttribute("d", "M" + (-GAP_X) + " " + sy + "C" + mid + " " + sy + " " + mid + " " + kh + " 0 " + kh + "h" + num(k, "data-w"));
      y += sizes[i][0] + GAP_Y;
    });
    return [sub, own];
  }

  /* The box of the nodes that show, in the root's coordinates. */
  function extent(g, x, y, box) {
    box.left = Math.min(box.left, x); box.top = Math.min(box.top, y);
    box.right = Math.max(box.right, x + num(g, "data-w") + 6); box.bottom = Math.max(box.bottom, y + num(g, "data-h") + 4);
    if (!g.classList.contains("is-folded")) {
      kidsOf(g).forEach(function (k) {
        var m = /translate\(([-\d.e]+)[ ,]+([-\d.e]+)\)/.exec(k.getAttribute("transform"));
        extent(k, x + parseFloat(m[1]), y + parseFloat(m[2]), box);
      });
    }
    return box;
  }

  function setup(fig) {
    if (fig.getAttribute("data-kb-ready")) return;
    fig.setAttribute("data-kb-ready", "1");
    var view = fig.querySelector(".kb-mm__view");
    var svg = view.querySelector("svg");
    var root = svg.querySelector(".kb-mm__root");
    var nodes = Array.prototype.slice.call(svg.querySelectorAll(".kb-mm__n"));
    var byId = {};
    nodes.forEach(function (g) { byId[g.getAttribute("data-id")] = g; if (kidsOf(g).length) g.classList.add("has-kids"); });
    var key = "kb-mm:" + location.pathname;
    var k = 1, tx = 0, ty = 0; /* screen = tx + k * user */

    fig.classList.add("kb-mm--live");
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.style.width = "";
    svg.style.minWidth = "";
    /* Everything inside one group that pans and zooms. */
    var stage = document.createElementNS("http://www.w3.org/2000/svg", "g");
    stage.setAttribute("class", "kb-mm__stage");
    svg.insertBefore(stage, root);
    stage.appendChild(root);
    var rootX = 2, rootY = 0;

    /* The box's size, from a ResizeObserver once the browser has laid the page
     * out (reading clientWidth at start-up would force that layout early). */
    var box0 = null;
    function size() { return box0 || { w: view.clientWidth || 1, h: view.clientHeight || 1 }; }
    function apply() {
      var s = size();
      svg.setAttribute("viewBox", "0 0 " + s.w + " " + s.h);
      stage.setAttribute("transform", "translate(" + tx + " " + ty + ") scale(" + k + ")");
      save();
    }
    function relayout() {
      var r = place(root);
      rootY = r[1];
      root.setAttribute("transform", "translate(" + rootX + " " + rootY + ")");
    }
    function box() { return extent(root, rootX, rootY, { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity }); }
    /* The map as it shows, fitted but never under MIN_PX labels; the root at the left. */
    function fit(minPx) {
      var b = box(), s = size(), pad = 12;
      var kFit = Math.min((s.w - 2 * pad) / (b.right - b.left), (s.h - 2 * pad) / (b.bottom - b.top));
      k = Math.min(Math.max(kFit, (minPx || MIN_PX) / LABEL * 1.001), 1.4);
      tx = pad - b.left * k;
      /* Wider than the box (a phone): the branches in full, the root's start cut. */
      if ((b.right - b.left) * k > s.w - 2 * pad) tx = Math.max(s.w - pad - b.right * k, pad - (rootX + num(root, "data-w")) * k + 60);
      var h = (b.bottom - b.top) * k;
      /* Centred when it fits; taller than the box: the root in the middle. */
      ty = h <= s.h - 2 * pad ? (s.h - h) / 2 - b.top * k : s.h / 2 - (rootY + num(root, "data-h") / 2) * k;
      apply();
    }
    function zoomAt(factor, px, py) {
      var nk = Math.min(MAX_K, Math.max(MIN_K, k * factor));
      tx = px - (px - tx) * nk / k;
      ty = py - (py - ty) * nk / k;
      k = nk;
      apply();
    }
    /* Screen position of a node's label (to keep it still when its children fold). */
    function screenOf(g) {
      var x = 0, y = 0;
      for (var n = g; n && n !== stage; n = n.parentNode) {
        if (n.classList && n.classList.contains("kb-mm__n")) {
          var m = /translate\(([-\d.e]+)[ ,]+([-\d.e]+)\)/.exec(n.getAttribute("transform"));
          x += parseFloat(m[1]); y += parseFloat(m[2]);
        }
      }
      return { x: tx + k * x, y: ty + k * y };
    }
    function toggle(g, open) {
      if (!g.classList.contains("has-kids")) return;
      var before = screenOf(g);
      g.classList.toggle("is-folded", open === undefined ? !g.classList.contains("is-folded") : !open);
      relayout();
      var after = screenOf(g);
      tx += before.x - after.x; ty += before.y - after.y;
      /* Opened: bring its children into the box, the node itself kept in it. */
      if (!g.classList.contains("is-folded")) {
        var local = extent(g, 0, 0, { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity });
        var s = size(), pad = 12, at = screenOf(g);
        var right = at.x + local.right * k, top = at.y + local.top * k, bottom = at.y + local.bottom * k;
        if (right > s.w - pad) tx -= Math.min(right - (s.w - pad), at.x - pad);
        if (bottom > s.h - pad) ty -= Math.min(bottom - (s.h - pad), at.y - pad);
        else if (top < pad) ty += Math.min(pad - top, s.h - pad - (at.y + num(g, "data-h") * k));
      }
      apply();
    }
    function foldTo(depth) {
      nodes.forEach(function (g) {
        var d = g === root ? 0 : g.getAttribute("data-id").split("-").length;
        if (g.classList.contains("has-kids")) g.classList.toggle("is-folded", d >= depth);
      });
      relayout();
    }

    /* Saved view: zoom, position, open nodes. */
    var saveTimer = null, restoring = true;
    function write() {
      window.clearTimeout(saveTimer);
      var open = nodes.filter(function (g) { return g.classList.contains("has-kids") && !g.classList.contains("is-folded"); }).map(function (g) { return g.getAttribute("data-id"); });
      try { window.sessionStorage.setItem(key, JSON.stringify({ k: k, x: tx, y: ty, open: open })); } catch (e) { /* private mode */ }
    }
    function save(now) {
      if (restoring) return;
      window.clearTimeout(saveTimer);
      if (now === true) write();
      else saveTimer = window.setTimeout(write, 150);
    }
    function restore() {
      var saved = null;
      try { saved = JSON.parse(window.sessionStorage.getItem(key) || "null"); } catch (e) { saved = null; }
      if (!saved || !Array.isArray(saved.open) || !(saved.k > 0)) return false;
      nodes.forEach(function (g) { if (g.classList.contains("has-kids")) g.classList.add("is-folded"); });
      saved.open.forEach(function (id) { if (byId[id]) byId[id].classList.remove("is-folded"); });
      relayout();
      k = Math.min(MAX_K, Math.max(MIN_K, saved.k)); tx = +saved.x || 0; ty = +saved.y || 0;
      apply();
      return true;
    }

    /* Buttons. */
    var bar = document.createElement("div");
    bar.className = "kb-mm__bar";
    function btn(label, onClick) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      b.addEventListener("click", onClick);
      bar.appendChild(b);
      return b;
    }
    btn("放大", function () { var s = size(); zoomAt(1.4, s.w / 2, s.h / 2); });
    btn("缩小", function () { var s = size(); zoomAt(1 / 1.4, s.w / 2, s.h / 2); });
    btn("只看第一层", function () { foldTo(1); fit(); });
    btn("全部展开", function () { foldTo(99); fit(); });
    btn("看全图", function () { fit(1); });
    var hint = document.createElement("p");
    hint.className = "kb-mm__hint";
    hint.textContent = "点节点：折叠或展开下一层；点「↗」：打开讲它的页面；拖动：移动；滚轮或双指：缩放。";
    fig.insertBefore(bar, view);
    fig.insertBefore(hint, view);

    /* Pointer: drag to pan, two fingers to zoom, a tap on a node to fold. */
    var pointers = {}, moved = 0, pinch = null;
    function pos(e) { var r = view.getBoundingClientRect(); return { x: e.clientX - r.left, y: e.clientY - r.top }; }
    view.addEventListener("pointerdown", function (e) {
      if (e.pointerType === "mouse" && e.button !== 0) return;
      pointers[e.pointerId] = pos(e);
      if (Object.keys(pointers).length === 1) moved = 0;
      if (Object.keys(pointers).length === 2) {
        var p = Object.keys(pointers).map(function (id) { return pointers[id]; });
        pinch = { d: Math.hypot(p[0].x - p[1].x, p[0].y - p[1].y) || 1 };
      }
    });
    view.addEventListener("pointermove", function (e) {
      var last = pointers[e.pointerId];
      if (!last) return;
      var now = pos(e);
      pointers[e.pointerId] = now;
      var ids = Object.keys(pointers);
      if (ids.length === 2 && pinch) {
        var a = pointers[ids[0]], b = pointers[ids[1]];
        var d = Math.hypot(a.x - b.x, a.y - b.y) || 1;
        zoomAt(d / pinch.d, (a.x + b.x) / 2, (a.y + b.y) / 2);
        pinch.d = d;
        moved += 10;
        return;
      }
      moved += Math.abs(now.x - last.x) + Math.abs(now.y - last.y);
      if (moved > 4) {
        if (!view.hasPointerCapture(e.pointerId)) { try { view.setPointerCapture(e.pointerId); } catch (err) { /* gone */ } }
        view.classList.add("is-dragging");
        tx += now.x - last.x; ty += now.y - last.y;
        apply();
      }
    });
    function up(e) {
      delete pointers[e.pointerId];
      if (Object.keys(pointers).length < 2) pinch = null;
      view.classList.remove("is-dragging");
    }
    view.addEventListener("pointerup", up);
    view.addEventListener("pointercancel", up);
    view.addEventListener("click", function (e) {
      if (moved > 4) { e.preventDefault(); e.stopPropagation(); moved = 0; return; }
      var go = e.target.closest ? e.target.closest(".kb-mm__go") : null;
      if (go) { save(true); return; } /* follows the link */
      var g = e.target.closest ? e.target.closest(".kb-mm__n") : null;
      if (g) toggle(g);
    }, true);
    view.addEventListener("wheel", function (e) {
      e.preventDefault();
      var p = pos(e);
      zoomAt(Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.002)), p.x, p.y);
    }, { passive: false });
    view.addEventListener("keydown", function (e) {
      var s = size(), step = 60;
      if (e.key === "+" || e.key === "=") zoomAt(1.25, s.w / 2, s.h / 2);
      else if (e.key === "-") zoomAt(0.8, s.w / 2, s.h / 2);
      else if (e.key === "ArrowLeft") { tx += step; apply(); }
      else if (e.key === "ArrowRight") { tx -= step; apply(); }
      else if (e.key === "ArrowUp") { ty += step; apply(); }
      else if (e.key === "ArrowDown") { ty -= step; apply(); }
      else return;
      e.preventDefault();
    });
    window.addEventListener("pagehide", function () { save(true); });

    function start() {
      if (!restore()) { foldTo(1); fit(); }
      restoring = false;
      save(true);
    }
    if (window.ResizeObserver) {
      var started = false;
      new window.ResizeObserver(function (entries) {
        var r = entries[entries.length - 1].contentRect;
        box0 = { w: r.width || 1, h: r.height || 1 };
        if (!started) { started = true; start(); } else apply();
      }).observe(view);
    } else {
      start();
    }
    fig.kbMindMap = { toggle: toggle, view: function () { return { k: k, x: tx, y: ty }; } };
  }

  /* In a task of its own, not inside the page's start-up task (main-thread
   * time in one long task is what Lighthouse's TBT counts). */
  function init() {
    window.setTimeout(function () {
      var figs = document.querySelectorAll(".kb-mm");
      for (var i = 0; i < figs.length; i++) setup(figs[i]);
    }, 0);
  }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
