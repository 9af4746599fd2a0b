// Progressive enhancement for the office and committee pickers: results appear as you type, and a checked
// result moves to the chosen list so a new search does not lose it. Without this file the search is a GET
// form whose results are checkboxes, and the page works the same.
(function () {
  "use strict";
  function box(name, item) {
    var li = document.createElement("li");
    li.className = "picker-choice";
    var lab = document.createElement("label");
    var input = document.createElement("input");
    input.type = "checkbox";
    input.name = name;
    input.value = item.value;
    lab.appendChild(input);
    if (item.photo) {
      var img = document.createElement("img");
      img.src = item.photo;
      img.alt = "";
      img.className = "member-photo";
      img.width = 36;
      img.height = 44;
      lab.appendChild(document.createTextNode(" "));
      lab.appendChild(img);
    } else if (item.initials) {
      var ini = document.createElement("span");
      ini.className = "initials";
      ini.setAttribute("aria-hidden", "true");
      ini.textContent = item.initials;
      lab.appendChild(document.createTextNode(" "));
      lab.appendChild(ini);
    }
    var text = document.createElement("span");
    text.textContent = " " + item.text + " ";
    if (item.detail) {
      var detail = document.createElement("span");
      detail.className = "muted";
      detail.textContent = "(" + item.detail + ")";
      text.appendChild(detail);
    }
    lab.appendChild(text);
    li.appendChild(lab);
    return li;
  }
  function chosenValues(name) {
    var values = {};
    var boxes = document.querySelectorAll("input[type=checkbox][name='" + name + "']:checked");
    for (var i = 0; i < boxes.length; i++) { values[boxes[i].value] = true; }
    return values;
  }
  function setUp(input) {
    var list = document.getElementById(input.getAttribute("data-picker-target"));
    var name = input.getAttribute("data-picker-name");
    var chosen = document.getElementById(input.getAttribute("data-picker-target").replace("found-", "chosen-"));
    if (!list || !chosen) { return; }
    var timer = null;
    var latest = 0;
    function search() {
      var q = input.value.trim();
      var ticket = ++latest;
      if (!q) { list.textContent = ""; return; }
      fetch(input.getAttribute("data-picker-url") + "?q=" + encodeURIComponent(q), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (r) { return r.ok ? r.json() : { results: [] }; }).then(function (data) {
        if (ticket !== latest) { return; }
        var have = chosenValues(name);
        list.textContent = "";
        data.results.forEach(function (item) { if (!have[item.value]) { list.appendChild(box(name, item)); } });
        if (!list.children.length) {
          var none = document.createElement("li");
          none.className = "muted";
          none.textContent = "Nothing matches “" + q + "”.";
          list.appendChild(none);
        }
      }).catch(function () {
        // The live search failed (network, server): fall back to the plain search form.
        if (ticket === latest) { input.form.submit(); }
      });
    }
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(search, 200); });
    input.form.addEventListener("submit", function (event) { event.preventDefault(); search(); });
    list.addEventListener("change", function (event) {
      var target = event.target;
      if (target.checked) {
        var empty = chosen.querySelector("li.muted");
        if (empty) { chosen.removeChild(empty); }
        chosen.appendChild(target.closest("li"));
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var inputs = document.querySelectorAll("input[data-picker]");
    for (var i = 0; i < inputs.length; i++) { setUp(inputs[i]); }
  });
})();
