/* Time left before a deadline.
 *
 * Every element with data-countdown="<ISO 8601 datetime>" shows the days and hours (or hours
 * and minutes, or minutes) left, in the language of the page, refreshed every 30 seconds.
 * Once the deadline has passed it shows its data-text-closed. The server renders the same
 * text first: without JavaScript the page is still right when it is loaded.
 *
 * The element is not a live region on purpose: a screen reader is not interrupted every
 * 30 seconds.
 */
(function () {
  "use strict";

  var REFRESH_MS = 30000;

  function parseIso(value) {
    // Django's "c" format may carry microseconds: keep milliseconds only.
    var normalized = String(value || "").replace(/(\.\d{3})\d+/, "$1");
    var time = Date.parse(normalized);
    return isNaN(time) ? null : time;
  }

  function unitFormatter(lang, unit) {
    try {
      return new Intl.NumberFormat(lang, {
        style: "unit", unit: unit, unitDisplay: "long", useGrouping: false,
      });
    } catch (error) {
      return null;
    }
  }

  function makeFormat(lang) {
    var formatters = {
      day: unitFormatter(lang, "day"),
      hour: unitFormatter(lang, "hour"),
      minute: unitFormatter(lang, "minute"),
    };
    if (!formatters.day || !formatters.hour || !formatters.minute) {
      return null; // an old browser: the server text stays
    }
    return function (ms) {
      var total = Math.max(Math.floor(ms / 1000), 0);
      var days = Math.floor(total / 86400);
      var hours = Math.floor((total % 86400) / 3600);
      var minutes = Math.floor((total % 3600) / 60);
      var parts;
      if (days) {
        parts = [["day", days], ["hour", hours]];
      } else if (hours) {
        parts = [["hour", hours], ["minute", minutes]];
      } else {
        parts = [["minute", minutes]];
      }
      return parts
        .filter(function (part, index) { return part[1] > 0 || index === 0; })
        .map(function (part) { return formatters[part[0]].format(part[1]); })
        .join(", ");
    };
  }

  function start() {
    var elements = Array.prototype.slice.call(document.querySelectorAll("[data-countdown]"));
    if (!elements.length) {
      return;
    }
    var lang = (document.documentElement.lang || "fr").toLowerCase();
    var format = makeFormat(lang);
    var timer = null;

    function update() {
      var now = Date.now();
      var pending = 0;
      elements.forEach(function (element) {
        if (element.getAttribute("data-countdown-done") === "true") {
          return;
        }
        var deadline = parseIso(element.getAttribute("data-countdown"));
        if (deadline === null) {
          return;
        }
        var left = deadline - now;
        if (left < 0) {
          // Open up to and including the deadline; one second later it is closed.
          var closedText = element.getAttribute("data-text-closed");
          if (closedText) {
            element.textContent = closedText;
          }
          element.setAttribute("data-countdown-done", "true");
          element.classList.add("is-closed");
          var box = element.closest(".qmi-deadline");
          if (box) {
            box.classList.add("is-closed");
          }
          return;
        }
        pending += 1;
        if (format) {
          var text = format(left);
          if (element.textContent !== text) {
            element.textContent = text;
          }
        }
      });
      if (!pending && timer) {
        window.clearInterval(timer);
        timer = null;
      }
    }

    update();
    timer = window.setInterval(update, REFRESH_MS);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") {
        update();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
