/* "Copy link" buttons. A button marked data-copy-link="<id>" copies the address of the
 * link with that id to the clipboard (navigator.clipboard), then says "Link copied" in
 * the polite live region next to it (role="status"), so that a screen reader hears it too.
 *
 * The button starts hidden: without this script, or in a browser without a clipboard the
 * page may write to (an address other than https or localhost), the link stays on the
 * page as plain text to select and copy by hand. */
(function () {
  "use strict";

  function announce(button, words) {
    var region = button.parentNode.querySelector("[role=status]");
    if (!region) {
      return;
    }
    // Emptied first, so that a second copy is announced again.
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = words;
    }, 100);
  }

  function setUp(button) {
    var link = document.getElementById(button.getAttribute("data-copy-link"));
    if (!link) {
      return;
    }
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(link.href).then(
        function () {
          announce(button, "Link copied");
        },
        function () {
          announce(button, "The link could not be copied: select it and copy it by hand.");
        }
      );
    });
    button.hidden = false;
  }

  if (!(navigator.clipboard && navigator.clipboard.writeText)) {
    return;
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy-link]"), setUp);
})();
