/* "Copy the key" button of a newly issued API key. A button marked data-copy-text="<id>"
 * copies the text of the element with that id to the clipboard (navigator.clipboard),
 * then says so in the polite live region next to it (role="status").
 *
 * The button starts hidden: without this script, or in a browser without a clipboard the
 * page may write to, the key stays on the page as text to select and copy by hand. */
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
    var source = document.getElementById(button.getAttribute("data-copy-text"));
    if (!source) {
      return;
    }
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(
        function () {
          announce(button, "Key copied");
        },
        function () {
          announce(button, "The key could not be copied: select it and copy it by hand.");
        }
      );
    });
    button.hidden = false;
  }

  if (!(navigator.clipboard && navigator.clipboard.writeText)) {
    return;
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-copy-text]"), setUp);
})();
