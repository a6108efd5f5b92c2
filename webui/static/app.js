// Keyboard and small-screen niceties. Loaded as a file (never inline) so the
// Content-Security-Policy can forbid inline scripts; the pages work without it.
(function () {
  "use strict";

  // "/" jumps to the search box, as on many search sites, unless the reader is typing.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var box = document.getElementById("q");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  // On a phone the filters start folded so that the results come first.
  var filters = document.getElementById("filters");
  if (filters && window.matchMedia("(max-width: 820px)").matches) {
    filters.open = false;
  }
})();
