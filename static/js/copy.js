// Progressive enhancement: a "Copy letter" button for contact-form handoffs. The page works without it.
(function () {
  "use strict";
  function copyFrom(button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target) { return; }
    var text = target.value !== undefined ? target.value : target.textContent;
    var done = function () {
      var status = document.getElementById(button.getAttribute("data-copy-status"));
      if (status) { status.textContent = "Copied. Paste it into the office's form."; }
      button.textContent = "Copied";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallback(target, done, button); });
    } else {
      fallback(target, done, button);
    }
  }
  // Without the clipboard API: copy from a hidden textarea, then give focus back to the button (selecting the
  // textarea moved it, and removing the textarea would drop it on the body).
  function fallback(target, done, button) {
    var area = document.createElement("textarea");
    area.value = target.value !== undefined ? target.value : target.textContent;
    area.setAttribute("readonly", "");
    area.className = "hp";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); done(); } finally { document.body.removeChild(area); button.focus(); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-copy-target]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function (event) { copyFrom(event.currentTarget); });
    }
  });
})();
