// aligna's only script: send the session's CSRF token with every htmx request.
// Pages work without it (plain links and forms); htmx only makes them quicker.
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && meta.content) {
    event.detail.headers["X-CSRF-Token"] = meta.content;
  }
});
