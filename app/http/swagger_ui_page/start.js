// Starts Swagger UI with the settings the page carries (see swagger_ui.html): a file of
// its own, because the page's Content-Security-Policy runs no inline script.
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  var config = JSON.parse(container.getAttribute("data-config"));
  config.url = JSON.parse(container.getAttribute("data-spec-url"));
  config.dom_id = "#swagger-ui-container";
  window.ui = SwaggerUIBundle(config);
});
