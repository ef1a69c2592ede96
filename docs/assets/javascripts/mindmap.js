/* Mind map picture (/mindmap/ only): zoom buttons and folding per branch.
 * The SVG is laid out at build time (hooks/kb/svg.py); folding a branch hides
 * its subtree and moves the branches below it up. Without JavaScript the
 * picture fits the page and the outline below folds. On a phone the picture
 * opens on a tap (kb-mm--tap, set in the page) at a readable size. */
(function () {
  "use strict";
  function setup(fig) {
    if (fig.getAttribute("data-kb-ready")) return;
    fig.setAttribute("data-kb-ready", "1");
    if (!fig.classList.contains("kb-mm--tap")) { controls(fig, 0); return; }
    /* Phone: nothing but the button until the reader asks for the picture. */
    var open = document.createElement("button");
    open.type = "button";
    open.className = "kb-mm__open";
    open.textContent = "打开整张导图（可放大、拖动）";
    open.addEventListener("click", function () {
      open.parentNode.removeChild(open);
      fig.classList.remove("kb-mm--tap");
      controls(fig, 1);
    });
    fig.insertBefore(open, fig.firstChild);
  }

  function controls(fig, startZoom) {
    var svg = fig.querySelector("svg");
    var scroll = fig.querySelector(".kb-mm__scroll");
    var box = svg.viewBox.baseVal;
    var fullW = box.width;
    var branches = Array.prototype.slice.call(svg.querySelectorAll(".kb-mm__branch"));
    var top = Infinity;
    branches.forEach(function (g) { top = Math.min(top, g.transform.baseVal.getItem(0).matrix.f); });
    var zoom = startZoom; /* 0 = fit the width */

    function apply() {
      if (zoom) { svg.style.width = (fullW * zoom) + "px"; svg.style.maxWidth = "none"; }
      else { svg.style.width = ""; svg.style.maxWidth = ""; }
    }
    function relayout() {
      var cols = {};
      branches.forEach(function (g) {
        var c = g.getAttribute("data-col");
        var y = cols[c] === undefined ? top : cols[c];
        var m = g.transform.baseVal.getItem(0).matrix;
        g.setAttribute("transform", "translate(" + m.e + " " + y + ")");
        g.setAttribute("data-hook", y + parseFloat(g.getAttribute("data-h0")));
        cols[c] = y + parseFloat(g.getAttribute(g.classList.contains("is-folded") ? "data-h0" : "data-h")) + 14;
      });
      var bottom = 0;
      Array.prototype.forEach.call(svg.querySelectorAll(".kb-mm__trunk[data-col]"), function (t) {
        var c = t.getAttribute("data-col");
        var last = branches.filter(function (g) { return g.getAttribute("data-col") === c; }).pop();
        var d = t.getAttribute("d").replace(/V[\d.]+$/, "V" + last.getAttribute("data-hook"));
        t.setAttribute("d", d);
        bottom = Math.max(bottom, cols[c]);
      });
      bottom += 4 - 14; /* the picture's margin, not a gap after the last branch */
      svg.setAttribute("viewBox", "0 0 " + box.width + " " + bottom);
      svg.setAttribute("height", bottom);
    }

    var bar = document.createElement("div");
    bar.className = "kb-mm__bar";
    function btn(label, onClick, pressed) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = label;
      if (pressed !== undefined) b.setAttribute("aria-pressed", pressed);
      b.addEventListener("click", function () { onClick(b); });
      bar.appendChild(b);
      return b;
    }
    btn("缩小", function () { zoom = zoom ? Math.max(zoom / 1.5, 0.3) : 0.6; apply(); });
    btn("放大", function () { zoom = zoom ? Math.min(zoom * 1.5, 3) : Math.max(1, scroll.clientWidth / fullW * 1.5); apply(); });
    btn("适合宽度", function () { zoom = 0; apply(); });
    var folds = document.createElement("div");
    folds.className = "kb-mm__folds";
    folds.setAttribute("role", "group");
    folds.setAttribute("aria-label", "折叠或展开分支");
    branches.forEach(function (g, i) {
      var b = document.createElement("button");
      b.type = "button";
      b.setAttribute("aria-pressed", "true");
      b.textContent = (i + 1) + ". " + g.getAttribute("data-name");
      b.title = "折叠或展开这个分支";
      if (!g.querySelector(".kb-mm__kids")) b.disabled = true;
      b.addEventListener("click", function () {
        var folded = g.classList.toggle("is-folded");
        b.setAttribute("aria-pressed", folded ? "false" : "true");
        relayout();
      });
      folds.appendChild(b);
    });
    btn("全部折叠", function () { branches.forEach(function (g, i) { if (g.querySelector(".kb-mm__kids")) { g.classList.add("is-folded"); folds.children[i].setAttribute("aria-pressed", "false"); } }); relayout(); });
    btn("全部展开", function () { branches.forEach(function (g, i) { g.classList.remove("is-folded"); folds.children[i].setAttribute("aria-pressed", "true"); }); relayout(); });
    fig.insertBefore(bar, fig.firstChild);
    apply();
    fig.insertBefore(folds, scroll.nextSibling); /* below the picture: on a phone the map comes first */
  }
  function init() {
    var figs = document.querySelectorAll(".kb-mm");
    for (var i = 0; i < figs.length; i++) setup(figs[i]);
  }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(init);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
