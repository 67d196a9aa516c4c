// Admin user forms: the country is asked only of focal points. Without JavaScript the field stays visible
// and the server explains; with it, the field is hidden and disabled (so not sent) for other roles.
(function () {
  "use strict";
  function sync(role, wrapper) {
    var select = wrapper.querySelector("select");
    var isFocalPoint = role.value === "focal_point";
    wrapper.hidden = !isFocalPoint;
    if (select) { select.disabled = !isFocalPoint; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var role = document.getElementById("role");
    var wrapper = document.querySelector("[data-country-field]");
    if (!role || !wrapper) { return; }
    sync(role, wrapper);
    role.addEventListener("change", function () { sync(role, wrapper); });
  });
})();
