/* Progress of an export job (pack of dossiers, ZIP, CSV, XLSX).
 *
 * #export-job carries data-status-url: the script asks it every 1.5 seconds for the job's
 * state and updates the progress bar (aria-valuenow), the status line (an aria-live region,
 * so screen readers hear "Ready" or the error once), the error and the download link. It stops
 * once the job is finished. Without JavaScript the page shows the state it was loaded with and
 * a link to reload it.
 */
(function () {
  "use strict";

  var INTERVAL_MS = 1500;
  var MAX_FAILURES = 10;

  function start(root) {
    var url = root.getAttribute("data-status-url");
    var bar = root.querySelector("#export-bar");
    var fill = bar && bar.querySelector(".progress-bar");
    var label = root.querySelector('[data-field="label"]');
    var count = root.querySelector('[data-field="count"]');
    var error = root.querySelector('[data-field="error"]');
    var note = root.querySelector('[data-field="note"]');
    var download = root.querySelector('[data-field="download"]');
    var countText = root.getAttribute("data-text-count") || "{done} / {total}";
    var failures = 0;
    var lastLabel = label ? label.textContent : "";

    root.querySelectorAll(".no-js-only").forEach(function (el) { el.hidden = true; });

    function render(status) {
      var percent = Math.max(0, Math.min(100, Number(status.progress) || 0));
      if (bar) { bar.setAttribute("aria-valuenow", String(percent)); }
      if (fill) {
        fill.style.width = percent + "%";
        fill.textContent = percent + " %";
        if (status.finished) {
          fill.classList.remove("progress-bar-striped", "progress-bar-animated");
          fill.classList.add(status.state === "failed" ? "bg-danger" : "bg-success");
        }
      }
      // Only change the live region's text when the state changes: not at every percent.
      if (label && status.label !== lastLabel) {
        label.textContent = status.label;
        lastLabel = status.label;
      }
      if (count) {
        count.textContent = countText
          .replace("{done}", String(status.done))
          .replace("{total}", String(status.total));
      }
      if (note) {
        note.hidden = !status.note;
        note.textContent = status.note || "";
      }
      if (error) {
        error.hidden = !status.error;
        error.textContent = status.error || "";
      }
      if (download) {
        download.hidden = !status.download;
        var link = download.querySelector("a");
        if (link && status.download) { link.href = status.download; }
      }
    }

    function poll() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (status) {
          failures = 0;
          render(status);
          if (!status.finished) { window.setTimeout(poll, INTERVAL_MS); }
        })
        .catch(function () {
          failures += 1;
          if (failures < MAX_FAILURES) { window.setTimeout(poll, INTERVAL_MS * failures); }
        });
    }

    poll();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("export-job");
    if (root && root.getAttribute("data-status-url")) { start(root); }
  });
})();
