/* Forms: the error summary after a failed submission.
 *
 * The element with [data-focus-on-load] (the error summary of templates/includes/
 * error_summary.html, tabindex="-1") takes the keyboard focus when the page loads, so a
 * keyboard or screen reader user starts from the list of problems; the page title already
 * starts with "Error:". A link of the summary moves the focus to its field and scrolls so
 * that the field's label (or the legend of its group) is visible above it.
 *
 * #form-errors is also focused: the error summaries written before the include had no
 * data-focus-on-load.
 *
 * Forms marked [data-submit-once] are sent once, whatever the clicks.
 */
(function () {
  "use strict";

  function labelOf(field) {
    var group = field.closest("fieldset");
    var type = (field.type || "").toLowerCase();
    if (group && (type === "radio" || type === "checkbox") && group.querySelector("legend")) {
      return group.querySelector("legend");
    }
    if (field.id) {
      var label = document.querySelector('label[for="' + field.id.replace(/"/g, '\\"') + '"]');
      if (label) {
        return label;
      }
    }
    return group ? group.querySelector("legend") : null;
  }

  function followLink(event) {
    var link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
    if (!link || link.hash.length < 2) {
      return;
    }
    var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field || typeof field.focus !== "function") {
      return;
    }
    event.preventDefault();
    var label = labelOf(field);
    (label || field).scrollIntoView({ block: "start", behavior: "instant" });
    field.focus({ preventScroll: true });
  }

  /* A form marked [data-submit-once] is sent once: its buttons are disabled (aria-disabled)
     while the page changes, so a double click does not send it twice. */
  function submitOnce(form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-submitted") === "yes") {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-submitted", "yes");
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.setAttribute("aria-disabled", "true");
      });
    });
  }

  function start() {
    document.querySelectorAll("form[data-submit-once]").forEach(submitOnce);
    var summary = document.querySelector("[data-focus-on-load]") ||
      document.getElementById("form-errors");
    if (!summary) {
      return;
    }
    if (!summary.hasAttribute("tabindex")) {
      summary.setAttribute("tabindex", "-1");
    }
    summary.addEventListener("click", followLink);
    summary.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
