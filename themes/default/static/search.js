// Pagefind UI on /search/: loaded only on the search page (CSP forbids inline script, so it lives here).
(function () {
  "use strict";
  var el = document.getElementById("search");
  if (!el || typeof PagefindUI === "undefined") return;
  var bundle = el.getAttribute("data-bundle");
  // story shards (one Pagefind bundle per period, see siman_hub/publish/search.py), merged into one result list
  var shards = (el.getAttribute("data-shards") || "").split(" ").filter(Boolean);
  var ui = new PagefindUI({
    element: "#search",
    bundlePath: bundle,
    mergeIndex: shards.map(function (name) { return { bundlePath: bundle + "shard/" + name + "/" }; }),
    showSubResults: true,
    showImages: false,
    resetStyles: false
  });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) ui.triggerSearch(q);
})();
