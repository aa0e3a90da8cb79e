/* Accessible names in the Django admin (loaded by templates/admin/base_site.html):
 * - the two inputs of a split date-time field ("Date:" / "Time:" are bare text in Django's
 *   widget): the text becomes their <label>;
 * - the controls of a tabular inline, which Django renders under a column header without a
 *   label: they are labelled by that header (aria-labelledby);
 * - autocomplete selects (Select2), whose combobox is otherwise named by its (empty) selection:
 *   named by the field's label, the selection as its description.
 */
(function () {
  "use strict";

  var counter = 0;

  function idFor(element, prefix) {
    if (!element.id) {
      counter += 1;
      element.id = prefix + "-" + counter;
    }
    return element.id;
  }

  function labelSplitDateTimes(root) {
    root.querySelectorAll("p.datetime").forEach(function (paragraph) {
      Array.prototype.slice.call(paragraph.childNodes).forEach(function (node) {
        if (node.nodeType !== Node.TEXT_NODE || !node.textContent.trim()) {
          return;
        }
        var input = node.nextElementSibling || null;
        var sibling = node.nextSibling;
        while (sibling && sibling.nodeType !== Node.ELEMENT_NODE) {
          sibling = sibling.nextSibling;
        }
        input = sibling && sibling.matches("input") ? sibling
          : sibling && sibling.querySelector ? sibling.querySelector("input") : null;
        if (!input || !input.id) {
          return;
        }
        var label = document.createElement("label");
        label.htmlFor = input.id;
        label.textContent = node.textContent.trim();
        paragraph.replaceChild(label, node);
        paragraph.insertBefore(document.createTextNode(" "), label.nextSibling);
      });
    });
  }

  function hasName(control) {
    if (control.getAttribute("aria-label") || control.getAttribute("aria-labelledby")) {
      return true;
    }
    return control.id && document.querySelector('label[for="' + CSS.escape(control.id) + '"]');
  }

  function labelTabularInlines(root) {
    root.querySelectorAll("table").forEach(function (table) {
      var headers = table.querySelectorAll("thead th");
      if (!headers.length) {
        return;
      }
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          var header = headers[index];
          if (!header || !header.textContent.trim()) {
            return;
          }
          cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(
            function (control) {
              if (!hasName(control)) {
                control.setAttribute("aria-labelledby", idFor(header, "qmi-column"));
              }
            }
          );
        });
      });
    });
  }

  function fieldName(select) {
    if (select.getAttribute("aria-label")) {
      return select.getAttribute("aria-label");
    }
    var ids = select.getAttribute("aria-labelledby");
    if (ids) {
      return ids.split(/\s+/).map(function (id) {
        var element = document.getElementById(id);
        return element ? element.textContent.trim() : "";
      }).join(" ").trim();
    }
    var label = select.id && document.querySelector('label[for="' + CSS.escape(select.id) + '"]');
    return label ? label.textContent.replace(/\s*:\s*$/, "").trim() : "";
  }

  function nameAutocompletes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      var combobox = container && container.querySelector(".select2-selection");
      var name = fieldName(select);
      if (!combobox || !name) {
        return;
      }
      var rendered = combobox.getAttribute("aria-labelledby");
      combobox.removeAttribute("aria-labelledby");
      combobox.setAttribute("aria-label", name);
      var selection = rendered && document.getElementById(rendered);
      if (selection) {
        // Select2 gives the selection the textbox role: it is named too.
        selection.setAttribute("aria-label", name);
        combobox.setAttribute("aria-describedby", rendered);
      }
    });
  }

  function fix(root) {
    labelSplitDateTimes(root);
    labelTabularInlines(root);
    nameAutocompletes(root);
  }

  var pending = false;
  function fixSoon() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        fix(document);
      });
    }
  }

  function start() {
    fix(document);
    // Select2 builds its combobox when jQuery is ready, and again for each inline row added.
    new MutationObserver(function (mutations) {
      var added = mutations.some(function (mutation) {
        return Array.prototype.some.call(mutation.addedNodes, function (node) {
          return node.nodeType === Node.ELEMENT_NODE &&
            (node.matches(".select2-container, tr") || node.querySelector(".select2-container"));
        });
      });
      if (added) {
        fixSoon();
      }
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  window.addEventListener("load", fixSoon);
})();
