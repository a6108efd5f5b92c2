// Keyboard and small-screen niceties. Loaded as a file (never inline) so the
// Content-Security-Policy can forbid inline scripts; the pages work without it.
(function () {
  "use strict";

  // "/" jumps to the search box, as on many search sites, unless the reader is typing.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var box = document.getElementById("q");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  // Suggestions as you type: the archive's words completing the box's text
  // (Chinese or pinyin) from /api/suggest, in a list under the box. Arrow keys
  // move through it, Enter searches the one chosen, Escape closes it. Without
  // this script the box is a plain search box.
  var input = document.getElementById("q");
  var form = input && input.form;
  if (input && form && form.getAttribute("data-suggest") && window.fetch) {
    var endpoint = form.getAttribute("data-suggest");
    var list = document.createElement("ul");
    list.id = "q-suggest";
    list.className = "suggest";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "搜索建议");
    list.hidden = true;
    form.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    var items = [], active = -1, typed = "", asked = 0, timer = null;

    var close = function () {
      list.hidden = true;
      list.textContent = "";
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    };
    var pick = function (i) {
      input.value = items[i].textContent;
      close();
      form.submit();
    };
    var show = function (words) {
      close();
      words.forEach(function (word, i) {
        var li = document.createElement("li");
        li.id = "q-suggest-" + i;
        li.className = "suggest__item";
        li.setAttribute("role", "option");
        li.textContent = word;  // text, never markup
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();  // keep the focus in the box
          pick(i);
        });
        list.appendChild(li);
        items.push(li);
      });
      if (items.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    };
    var move = function (step) {
      if (!items.length) return;
      if (active >= 0) items[active].removeAttribute("aria-selected");
      active += step;
      if (active >= items.length) active = -1;
      if (active < -1) active = items.length - 1;
      if (active >= 0) {
        items[active].setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", items[active].id);
        input.value = items[active].textContent;
      } else {
        input.removeAttribute("aria-activedescendant");
        input.value = typed;
      }
    };
    var ask = function () {
      var text = input.value.trim();
      var mine = ++asked;
      if (!text) { close(); return; }
      fetch(endpoint + "?limit=8&q=" + encodeURIComponent(text), {headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (mine !== asked || !data || document.activeElement !== input) return;
          show(data.suggestions || []);
        })
        .catch(close);
    };
    input.addEventListener("input", function () {
      typed = input.value;
      clearTimeout(timer);
      timer = setTimeout(ask, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (event.isComposing) return;  // an input method is still choosing characters
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!items.length) return;
        event.preventDefault();
        move(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        pick(active);
      } else if (event.key === "Escape" && items.length) {
        event.preventDefault();
        input.value = typed || input.value;
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  // On a phone the filters start folded so that the results come first.
  var filters = document.getElementById("filters");
  if (filters && window.matchMedia("(max-width: 820px)").matches) {
    filters.open = false;
  }
})();
