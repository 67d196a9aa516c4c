// Starts Swagger UI on /docs (kept out of the page: the Content-Security-Policy allows no inline script).
window.addEventListener("DOMContentLoaded", function () {
  var target = document.getElementById("swagger-ui");
  if (!target || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({ url: target.dataset.openapiUrl, dom_id: "#swagger-ui", deepLinking: true });
});
