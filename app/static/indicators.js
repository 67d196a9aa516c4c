// The indicator grid: only a row's own answer (saved 200, refused 422, conflict 409) replaces the row. Any other
// outcome (an expired form, a lost connection, a server error) leaves the row exactly as typed and says why in the
// grid's status line, so that nothing typed is lost. The messages come from the page (translated there).
(function () {
  "use strict";
  var ROW_ANSWERS = { 200: true, 409: true, 422: true };

  function isRow(element) {
    return element && element.classList && element.classList.contains("value-row");
  }

  function say(kind) {
    var status = document.getElementById("grid-status");
    if (status) {
      status.textContent = status.getAttribute("data-" + kind) || "";
      status.classList.add("grid-status--error");
    }
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (!isRow(detail.target) || ROW_ANSWERS[detail.xhr.status]) { return; }
    detail.shouldSwap = false;
    detail.isError = false;
    say(detail.xhr.status === 403 ? "expired" : detail.xhr.status === 404 ? "gone" : "failed");
  });

  document.addEventListener("htmx:sendError", function (event) {
    if (isRow(event.detail.target)) { say("offline"); }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var status = document.getElementById("grid-status");
    if (isRow(event.detail.target) && status) { status.classList.remove("grid-status--error"); }
  });
})();
