// The workbook's progress page without reloading: poll the status, move the bar, and once the
// workbook is ready go to the "ready" page, which starts the download. Without JavaScript the page
// refreshes itself (a <meta> in <noscript>).
(function () {
  "use strict";
  var box = document.querySelector("[data-status]");
  if (!box || !window.fetch) return;
  var bar = box.querySelector("progress");
  var left = box.querySelector("[data-left]");

  function poll() {
    fetch(box.getAttribute("data-status"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.ready || state.failed) {
          window.location.assign(state.url);
          return;
        }
        if (bar) bar.value = Math.max(bar.value, state.percent);   // an estimate: never backwards
        if (left) left.textContent = state.message;
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1500);
})();
