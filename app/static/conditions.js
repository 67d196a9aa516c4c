// A question asked only when another has a given answer (data-show-if="<key>" data-show-if-equals="<value>"):
// shown while the named field of the same form has that value, hidden (and skipped by screen readers) otherwise.
// Hidden answers are kept: nothing typed is lost when the answer it depends on changes back.
(function () {
  "use strict";
  function current(form, name) {
    var fields = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < fields.length; i++) {
      var f = fields[i];
      if (f.type === "radio" || f.type === "checkbox") { if (f.checked) { return f.value; } }
      else { return f.value; }
    }
    return "";
  }
  function update(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (el) {
      el.hidden = current(form, el.dataset.showIf) !== el.dataset.showIfEquals;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("[data-show-if]")) { return; }
      update(form);
      form.addEventListener("change", function () { update(form); });
    });
  });
})();
