// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  function focusMarked(root) {
    var el = root.querySelector("[data-focus-on-load]");
    if (el) { el.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () { focusMarked(document); });
  // The menu (base.html) is a <details>, collapsed on narrow screens; on wide screens app.css shows its content
  // (::details-content). A browser without that selector gets it opened here while the screen is wide.
  var menu = document.querySelector("details.menu");
  if (menu && window.matchMedia && !(window.CSS && CSS.supports && CSS.supports("selector(::details-content)"))) {
    var wide = window.matchMedia("(min-width: 60rem)");
    var follow = function () { menu.open = wide.matches; };
    follow();
    if (wide.addEventListener) { wide.addEventListener("change", follow); }
  }
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
  // Downloads built before the first byte (a large Excel workbook): say the file is being prepared, until the
  // response sets the cookie named after this download's token (app/exports/routes.py).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-download-form")) { return; }
    var status = form.querySelector("[data-download-status]");
    var field = form.querySelector("input[name=download_token]");
    if (!status || !field) { return; }
    var token = Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
    field.value = token;
    status.textContent = status.getAttribute("data-preparing");
    status.hidden = false;
    var started = Date.now();
    var timer = window.setInterval(function () {
      if (document.cookie.indexOf("gcm_download=" + token) !== -1) {
        window.clearInterval(timer);
        status.textContent = status.getAttribute("data-started");
      } else if (Date.now() - started > 10 * 60 * 1000) {
        window.clearInterval(timer);
        status.hidden = true;
      }
    }, 500);
  });
})();
