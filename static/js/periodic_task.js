/* The form of a periodic task in the admin (django-celery-beat): a crontab's schedule in words
   under the field, as the package's own inline script did. */
(function () {
  "use strict";
  var script = document.getElementById("periodic-task-overrides");
  var readable = JSON.parse(document.getElementById("readable-crontabs").textContent);
  var help = script.getAttribute("data-crontab-help") || "";
  var $ = window.django && window.django.jQuery;
  if (!$) {
    return;
  }
  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    var words = readable[$("#id_crontab").val()] || "";
    var box = $(".field-crontab .help");
    box.text(help);
    box.append(document.createElement("br"), document.createTextNode(words));
  });
})();
