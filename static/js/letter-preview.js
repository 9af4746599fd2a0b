// Live preview for the letter editor: as the organizer types, the letter is rendered for a senator, a
// representative and a delegate (spoken and not) below the form. Nothing is saved. Without this file the
// "Preview without saving" button shows the same preview after a round trip.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("letter-form");
    var target = document.getElementById("draft-preview");
    if (!form || !target || !window.fetch || !window.FormData) { return; }
    var url = form.getAttribute("data-preview-url");
    var timer = null;
    var latest = 0;
    function refresh() {
      var ticket = ++latest;
      target.setAttribute("aria-busy", "true");
      fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (ticket !== latest || html === null) { return; }
          // The fragment comes from our own server, rendered by a template that escapes every letter.
          var parsed = new DOMParser().parseFromString(html, "text/html");
          target.replaceChildren.apply(target, Array.prototype.slice.call(parsed.body.childNodes));
          target.removeAttribute("aria-busy");
        })
        .catch(function () { target.removeAttribute("aria-busy"); });
    }
    function soon() { clearTimeout(timer); timer = setTimeout(refresh, 500); }
    form.addEventListener("input", soon);
    form.addEventListener("change", soon);
    var button = form.querySelector("[data-preview-button]");
    if (button) {
      button.addEventListener("click", function (event) { event.preventDefault(); refresh(); });
    }
    var body = document.getElementById("body");
    if (body && body.value.trim()) { refresh(); }  // an existing letter: show it at once
  });
})();
