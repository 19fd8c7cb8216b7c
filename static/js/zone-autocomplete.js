/* Coverage areas for the service form: the ARIA 1.2 combobox pattern (list autocomplete).
 *
 * Without this script the form has a plain text box where people type one area per line
 * ("departement 69"), and the search field stays hidden. With it, the search field appears;
 * suggestions come from /api/v1/zones (régions, départements, EPCI, communes); the arrow keys
 * move the active option (aria-activedescendant, focus stays in the field), Enter or a click
 * adds the chosen area as a new line of the text box, Escape closes the list. Messages come
 * from data-msg-* attributes, translated by the template.
 */
(function () {
  "use strict";

  var DELAY_MS = 200;
  var MIN_LENGTH = 2;

  function enhance(input) {
    var wrapper = input.closest(".zone-search");
    var target = document.getElementById(input.getAttribute("data-zone-target"));
    var source = input.getAttribute("data-zone-source");
    if (!wrapper || !target || !source) {
      return;
    }
    wrapper.hidden = false;

    var list = document.createElement("ul");
    list.id = input.id + "-suggestions";
    list.className = "autocomplete__list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    var label = document.querySelector('label[for="' + input.id + '"]');
    if (label) {
      list.setAttribute("aria-label", label.textContent.trim());
    }
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

    function message(name, values) {
      var text = input.getAttribute("data-msg-" + name) || "";
      Object.keys(values || {}).forEach(function (key) {
        text = text.replace("{" + key + "}", values[key]);
      });
      return text;
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
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
    }

    function add(index) {
      var zone = results[index];
      if (!zone) {
        return;
      }
      var line = zone.code ? zone.kind + " " + zone.code + " (" + (zone.name || zone.label) + ")" : zone.kind;
      var lines = target.value.split("\n").filter(function (text) {
        return text.trim() !== "";
      });
      var key = zone.code ? zone.kind + " " + zone.code : zone.kind;
      var present = lines.some(function (text) {
        return text.trim().split(" (")[0] === key;
      });
      if (!present) {
        lines.push(line);
        target.value = lines.join("\n");
      }
      input.value = "";
      close();
      status.textContent = message("added", { area: zone.label });
    }

    function render(found) {
      results = found;
      list.textContent = "";
      found.forEach(function (zone, index) {
        var option = document.createElement("li");
        option.id = list.id + "-" + index;
        option.className = "autocomplete__option";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = zone.label;
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
        });
        option.addEventListener("click", function () {
          add(index);
          input.focus();
        });
        list.appendChild(option);
      });
      active = -1;
      if (found.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status.textContent = message("many", { count: found.length });
      } else {
        close();
        status.textContent = message("none");
      }
    }

    function suggest() {
      var text = input.value.trim();
      if (text.length < MIN_LENGTH) {
        render([]);
        status.textContent = "";
        return;
      }
      var ticket = ++latest;
      fetch(source + "?q=" + encodeURIComponent(text), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (body) {
          if (ticket === latest) {
            render(body.results || []);
          }
        })
        .catch(function () {
          if (ticket === latest) {
            render([]);
          }
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(suggest, DELAY_MS);
    });
    input.addEventListener("keydown", function (event) {
      var isOpen = !list.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (results.length) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
          highlight(active + 1);
        }
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (results.length) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
          highlight(active < 0 ? -1 : active - 1);
        }
      } else if (event.key === "Enter") {
        // Never submit the whole service form from the search field.
        event.preventDefault();
        if (isOpen && active >= 0) {
          add(active);
        }
      } else if (event.key === "Escape" && isOpen) {
        event.preventDefault();
        close();
      } else if (event.key === "Tab") {
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  function start() {
    var inputs = document.querySelectorAll("input[data-zone-source]");
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
