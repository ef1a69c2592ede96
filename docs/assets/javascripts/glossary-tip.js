/* Glossary tooltips (hooks/kb/glossary_abbr.py marks each term with
 * data-kb-tip). The definition is shown with textContent: whatever a data file
 * holds stays text. One tooltip element for the page; it opens on hover, on
 * keyboard focus and on a tap, and closes on Escape, on leaving the term or on
 * a tap elsewhere. Listeners sit on the document, so pages loaded by instant
 * navigation need nothing more. */
(function () {
  "use strict";
  var tip = null;
  var current = null;

  function element() {
    if (!tip || !tip.isConnected) {
      tip = document.createElement("div");
      tip.id = "kb-tip";
      tip.className = "kb-tip";
      tip.setAttribute("role", "tooltip");
      tip.hidden = true;
      document.body.appendChild(tip);
    }
    return tip;
  }

  function termOf(node) {
    return node && node.closest ? node.closest("[data-kb-tip]") : null;
  }

  function place(term, box) {
    var rect = term.getBoundingClientRect();
    var width = box.offsetWidth;
    var left = Math.min(Math.max(8, rect.left), Math.max(8, document.documentElement.clientWidth - width - 8));
    var below = rect.bottom + 6;
    var top = below + box.offsetHeight > window.innerHeight && rect.top - box.offsetHeight - 6 > 0 ? rect.top - box.offsetHeight - 6 : below;
    box.style.left = left + window.scrollX + "px";
    box.style.top = top + window.scrollY + "px";
  }

  function show(term) {
    var box = element();
    if (current && current !== term) current.removeAttribute("aria-describedby");
    current = term;
    box.textContent = term.getAttribute("data-kb-tip") || "";
    box.hidden = false;
    term.setAttribute("aria-describedby", "kb-tip");
    place(term, box);
  }

  function hide() {
    if (current) current.removeAttribute("aria-describedby");
    current = null;
    if (tip) tip.hidden = true;
  }

  document.addEventListener("mouseover", function (event) {
    var term = termOf(event.target);
    if (term) show(term);
    else if (current && !(tip && tip.contains(event.target))) hide();
  });
  document.addEventListener("focusin", function (event) {
    var term = termOf(event.target);
    if (term) show(term);
    else hide();
  });
  document.addEventListener("click", function (event) {
    var term = termOf(event.target);
    if (term) {
      if (current === term && !tip.hidden && event.pointerType !== "mouse") hide();
      else show(term);
    } else if (!(tip && tip.contains(event.target))) {
      hide();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") hide();
  });
  window.addEventListener("resize", hide);
})();
