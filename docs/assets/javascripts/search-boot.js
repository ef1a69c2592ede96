/* Search, part 1 of 2: on every page, and nothing else. It loads search.js
 * (and through it Pagefind and the query layer) only when the reader asks for
 * search: focuses the search box, opens it from the header button, presses
 * "/", "s" or "f", or arrives with ?q= (a shared search link). With ?h= (the
 * reader came from a search result) it loads search.js to mark the terms. */
(function () {
  "use strict";
  var form = document.forms.namedItem("kb-search");
  var toggle = document.getElementById("__search");
  if (!form || !toggle) return;
  var input = form.elements.namedItem("q");
  var config = JSON.parse(document.getElementById("__config").textContent);
  var base = new URL(config.base.replace(/\/?$/, "/"), location.href);
  var loading = null;

  function load() {
    if (!loading) {
      loading = import(new URL("assets/javascripts/search.js", base).href).then(function (mod) {
        return mod.start({ base: base, form: form, input: input, toggle: toggle, config: config });
      });
      loading.catch(function (error) {
        var meta = form.parentNode.querySelector(".md-search-result__meta");
        if (meta) meta.textContent = "搜索没能加载（" + error.message + "），请刷新页面再试。";
        loading = null;
      });
    }
    return loading;
  }

  function open(query) {
    toggle.checked = true;
    if (typeof query === "string") input.value = query;
    input.focus();
    return load().then(function (search) { search.run(input.value); });
  }

  input.addEventListener("focus", function () { toggle.checked = true; load(); });
  toggle.addEventListener("change", function () {
    if (toggle.checked) input.focus();
    else input.blur();
  });
  form.addEventListener("submit", function (event) { event.preventDefault(); });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(input|textarea|select)$/i.test(target.tagName))) return;
    if (!toggle.checked && (event.key === "/" || event.key === "s" || event.key === "f" || event.key === "S" || event.key === "F")) {
      event.preventDefault();
      event.stopPropagation();
      open();
    }
  }, true);

  function onPage() {
    var params = new URLSearchParams(location.search);
    if (params.get("q")) open(params.get("q"));
    else if (params.get("h") && config.features.indexOf("search.highlight") >= 0) {
      load().then(function (search) { search.highlight(params.get("h")); });
    }
  }
  // Material re-renders the content on instant navigation and announces it on document$.
  if (window.document$ && typeof window.document$.subscribe === "function") window.document$.subscribe(onPage);
  else onPage();
})();
