// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // After an htmx swap, move focus to the swapped region if it asks for it (screen-reader users hear the change).
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.hasAttribute("data-focus-after-swap")) {
      target.setAttribute("tabindex", "-1");
      target.focus();
    }
  });
})();
