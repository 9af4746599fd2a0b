// Progressive enhancement for a background job's page: live progress without waiting for the refresh.
// Without JavaScript the page refreshes itself (<meta http-equiv="refresh">) and says the same things.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-status-url");
  var first = box.getAttribute("data-status");
  function number(n) { return n === null || n === undefined ? "" : n.toLocaleString("en-US"); }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { return; }
        if (state.status !== first) { window.location.reload(); return; }
        var text = state.total ? number(state.done) + " of " + number(state.total) : (state.done ? number(state.done) : "");
        if (state.message) { text += " (" + state.message + ")"; }
        document.getElementById("job-progress").textContent = text;
        var bar = document.getElementById("job-bar");
        if (bar && state.total) { bar.max = state.total; bar.value = state.done; }
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
}());
