// Admin user forms: the country is asked only of focal points. Without JavaScript the field stays visible
// and the server explains; with it, the field is hidden and disabled (so not sent) for other roles.
(function () {
  "use strict";
  // The organisation is asked only of stakeholders, the same way.
  function sync(role, wrapper, wanted) {
    var select = wrapper.querySelector("select");
    var shown = role.value === wanted;
    wrapper.hidden = !shown;
    if (select) { select.disabled = !shown; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var role = document.getElementById("role");
    if (!role) { return; }
    [["[data-country-field]", "focal_point"], ["[data-organisation-field]", "stakeholder"]].forEach(function (pair) {
      var wrapper = document.querySelector(pair[0]);
      if (!wrapper) { return; }
      sync(role, wrapper, pair[1]);
      role.addEventListener("change", function () { sync(role, wrapper, pair[1]); });
    });
  });
})();
