// PNG downloads of the dashboards' charts: the chart's SVG file (same origin, so the canvas stays readable) is drawn
// on a canvas at twice its size and saved. The button is shown only when this script runs; SVG and CSV are links.
(function () {
  "use strict";

  function reveal(root) {
    root.querySelectorAll(".chart-png[hidden]").forEach(function (el) { el.hidden = false; });
  }

  function save(blob, filename) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  function toPng(button) {
    var image = new Image();
    image.onload = function () {
      var scale = 2;
      var canvas = document.createElement("canvas");
      canvas.width = Math.ceil(image.naturalWidth * scale);
      canvas.height = Math.ceil(image.naturalHeight * scale);
      var context = canvas.getContext("2d");
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      canvas.toBlob(function (blob) {
        button.disabled = false;
        if (blob) { save(blob, button.dataset.filename || "chart.png"); }
      }, "image/png");
    };
    image.onerror = function () { button.disabled = false; };
    button.disabled = true;
    var url = button.dataset.chartPng;
    image.src = url + (url.indexOf("?") < 0 ? "?" : "&") + "inline=1";
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-chart-png]");
    if (button) {
      event.preventDefault();
      toPng(button);
    }
  });
  document.addEventListener("DOMContentLoaded", function () { reveal(document); });
  document.addEventListener("htmx:afterSettle", function (event) { reveal(event.target); });
})();
