// Progressive enhancement for the letter editor: "Insert" puts a placeholder at the cursor of the subject or
// body (whichever was last focused; the body by default). Without this file the placeholders are listed
// with their meaning, to copy.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var body = document.getElementById("body");
    var subject = document.getElementById("subject");
    if (!body) { return; }
    var last = body;
    [body, subject].forEach(function (el) { if (el) { el.addEventListener("focus", function () { last = el; }); } });
    var hint = document.querySelector("[data-palette-hint]");
    if (hint) { hint.hidden = false; }
    var buttons = document.querySelectorAll("button[data-insert]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function (event) {
        var text = event.currentTarget.getAttribute("data-insert");
        var start = last.selectionStart === undefined ? last.value.length : last.selectionStart;
        var end = last.selectionEnd === undefined ? start : last.selectionEnd;
        last.value = last.value.slice(0, start) + text + last.value.slice(end);
        last.focus();
        last.setSelectionRange(start + text.length, start + text.length);
        last.dispatchEvent(new Event("input", { bubbles: true }));
      });
    }
  });
})();
