/* The eligibility form (templates/listings/eligibility.html): show each row's inputs as soon as
 * its fact is chosen.
 *
 * Without this script the page still works: a row shows the inputs of the fact it had when the
 * page was made, and "Show the details of the chosen conditions" asks the server for the page
 * again. With it, choosing a fact shows its inputs at once (number, yes/no, choices,
 * département codes, text), offers only the comparisons that fit it, shows the second number
 * only for "between", and that button is no longer needed. Every input is already in the page
 * (hidden): the script only shows and hides them, so nothing typed is lost.
 */
(function () {
  "use strict";

  var form = document.querySelector(".eligibility-form");
  if (!form) {
    return;
  }
  var words = {};
  try {
    words = JSON.parse(form.getAttribute("data-operator-words") || "{}");
  } catch (error) {
    return; // leave the page as the server made it
  }

  function chosenOption(select) {
    return select.options[select.selectedIndex] || null;
  }

  function fillOperators(select, allowed) {
    var current = select.value;
    var first = select.options[0];
    while (select.options.length > 1) {
      select.remove(1);
    }
    allowed.forEach(function (op) {
      var option = document.createElement("option");
      option.value = op;
      option.textContent = words[op] || op;
      select.appendChild(option);
    });
    select.value = allowed.indexOf(current) >= 0 ? current : first.value;
  }

  function update(row, refill) {
    var fact = row.querySelector("[data-eligibility-fact]");
    var operator = row.querySelector("[data-eligibility-operator]");
    var option = chosenOption(fact);
    var kind = (option && option.getAttribute("data-kind")) || "";
    var allowed = ((option && option.getAttribute("data-operators")) || "").split(" ")
      .filter(Boolean);
    if (refill && operator && allowed.length) {
      fillOperators(operator, allowed);
    }
    var panels = row.querySelectorAll("[data-panel]");
    Array.prototype.forEach.call(panels, function (panel) {
      var key = panel.getAttribute("data-panel");
      var shown;
      if (key === "operator") {
        shown = kind === "number" || kind === "values" || kind === "departement";
      } else if (key === "high") {
        shown = operator && operator.value === "between";
      } else if (key.indexOf("values-") === 0) {
        shown = kind === "values" && key === "values-" + fact.value;
      } else {
        shown = key === kind;
      }
      panel.hidden = !shown;
    });
  }

  Array.prototype.forEach.call(form.querySelectorAll("[data-eligibility-row]"), function (row) {
    var fact = row.querySelector("[data-eligibility-fact]");
    var operator = row.querySelector("[data-eligibility-operator]");
    update(row, false);
    fact.addEventListener("change", function () {
      update(row, true);
    });
    if (operator) {
      operator.addEventListener("change", function () {
        update(row, false);
      });
    }
  });
  Array.prototype.forEach.call(form.querySelectorAll("[data-eligibility-refresh]"), function (item) {
    item.hidden = true;
  });
})();
