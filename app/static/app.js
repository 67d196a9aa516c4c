// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  function focusMarked(root) {
    var el = root.querySelector("[data-focus-on-load]");
    if (el) { el.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { focusMarked(document); });
  // After an htmx swap, move focus to what asks for it (screen-reader users hear the change).
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target) { return; }
    if (target.hasAttribute("data-focus-after-swap")) {
      target.setAttribute("tabindex", "-1");
      target.focus();
    }
    focusMarked(target);
  });
})();
