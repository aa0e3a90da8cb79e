/* Organisation profile: show only the identification block that applies.
 *
 * The radio buttons "is_foreign" (value "no": established in France, "yes": outside France)
 * choose between the blocks marked [data-identification-for="no"] (SIRET) and
 * [data-identification-for="yes"] (country and registration number). Without JavaScript,
 * or while no button is checked, both blocks stay visible; the server keeps only the block
 * chosen whatever the other one holds.
 */
(function () {
  "use strict";

  function start() {
    var radios = document.querySelectorAll('input[type="radio"][name="is_foreign"]');
    var blocks = document.querySelectorAll("[data-identification-for]");
    if (!radios.length || !blocks.length) {
      return;
    }

    function update() {
      var chosen = null;
      Array.prototype.forEach.call(radios, function (radio) {
        if (radio.checked) {
          chosen = radio.value;
        }
      });
      Array.prototype.forEach.call(blocks, function (block) {
        block.hidden = chosen !== null && block.getAttribute("data-identification-for") !== chosen;
      });
    }

    Array.prototype.forEach.call(radios, function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
