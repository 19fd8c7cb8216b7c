/* Commune suggestions for the location box: the ARIA 1.2 combobox pattern (list autocomplete).
 *
 * Without this script the box is a plain text field and the server resolves what was typed.
 * With it, suggestions from /api/v1/communes appear in a listbox; the arrow keys move the
 * active option (aria-activedescendant, so focus stays in the field), Enter or a click chooses
 * it, Escape closes the list. Choosing adds a hidden field with the commune code, removed as
 * soon as the text changes, so the server never acts on a choice the person no longer sees.
 * Enter with no active option submits the form as typed. Messages come from data-msg-*
 * attributes, translated by the template.
 */
(function () {
  "use strict";

  var DELAY_MS = 200;
  var MIN_LENGTH = 2;
  var LIMIT = 8;

  function enhance(input) {
    var form = input.form;
    if (!form) {
      return;
    }
    var source = input.getAttribute("data-autocomplete");
    var codeName = input.getAttribute("data-code-field") || "commune";
    var label = document.querySelector('label[for="' + input.id + '"]');

    var list = document.createElement("ul");
    list.id = input.id + "-suggestions";
    list.className = "autocomplete__list";
    list.setAttribute("role", "listbox");
    if (label) {
      list.setAttribute("aria-label", label.textContent.trim());
    }
    list.hidden = true;

    var status = document.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");

    input.parentNode.appendChild(list);
    input.parentNode.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    var results = [];
    var active = -1;
    var timer = null;
    var latest = 0;
    var codeField = null;

    function message(name, values) {
      var text = input.getAttribute("data-msg-" + name) || "";
      Object.keys(values || {}).forEach(function (key) {
        text = text.replace("{" + key + "}", values[key]);
      });
      return text;
    }

    function say(text) {
      status.textContent = text;
    }

    function forgetChoice() {
      if (codeField) {
        codeField.parentNode.removeChild(codeField);
        codeField = null;
      }
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (results.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function highlight(index) {
      var options = list.querySelectorAll('[role="option"]');
      if (!options.length) {
        return;
      }
      active = (index + options.length) % options.length;
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === active ? "true" : "false");
      }
      input.setAttribute("aria-activedescendant", options[active].id);
      if (options[active].scrollIntoView) {
        options[active].scrollIntoView({ block: "nearest" });
      }
    }

    function choose(index) {
      var chosen = results[index];
      if (!chosen) {
        return;
      }
      input.value = chosen.label;
      forgetChoice();
      codeField = document.createElement("input");
      codeField.type = "hidden";
      codeField.name = codeName;
      codeField.value = chosen.code;
      form.appendChild(codeField);
      close();
      say(message("chosen", { place: chosen.label }));
    }

    function render(found) {
      results = found;
      active = -1;
      list.textContent = "";
      found.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = list.id + "-" + index;
        option.className = "autocomplete__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = item.label;
        // Keep the focus in the field while clicking, so the list does not close first.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
        });
        option.addEventListener("click", function () {
          choose(index);
          input.focus();
        });
        list.appendChild(option);
      });
      if (found.length) {
        open();
        say(found.length === 1 ? message("one") : message("many", { count: found.length }));
      } else {
        close();
        say(message("none"));
      }
    }

    function suggest() {
      var text = input.value.trim();
      if (text.length < MIN_LENGTH) {
        render([]);
        say("");
        return;
      }
      var ticket = ++latest;
      var url = source + "?q=" + encodeURIComponent(text) + "&limit=" + LIMIT;
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (body) {
          if (ticket === latest) {
            render(body.results || []);
          }
        })
        .catch(function () {
          // Offline or refused: the plain form still works.
          if (ticket === latest) {
            render([]);
            say("");
          }
        });
    }

    input.addEventListener("input", function () {
      forgetChoice();
      window.clearTimeout(timer);
      timer = window.setTimeout(suggest, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var isOpen = !list.hidden;
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          open();
          highlight(active + 1);
          break;
        case "ArrowUp":
          event.preventDefault();
          open();
          highlight(active < 0 ? -1 : active - 1);
          break;
        case "Enter":
          if (isOpen && active >= 0) {
            event.preventDefault();
            choose(active);
          }
          break;
        case "Escape":
          if (isOpen) {
            event.preventDefault();
            close();
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    input.addEventListener("blur", close);
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);
      latest++;
      close();
    });
  }

  function start() {
    var inputs = document.querySelectorAll("input[data-autocomplete]");
    for (var i = 0; i < inputs.length; i++) {
      enhance(inputs[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
