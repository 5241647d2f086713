// The main navigation on a phone: a "Menu" button shows and hides it, so the links do not
// fill three rows above every page. Without JavaScript the button stays hidden and the
// navigation simply shows. On wider screens the stylesheet hides the button and always
// shows the navigation.
(function () {
  "use strict";
  var button = document.querySelector(".site-menu-button");
  var nav = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!nav) {
    return;
  }
  document.documentElement.classList.add("nav-collapsible");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("is-open", open);
  });
  // Escape closes the open menu and returns focus to its button.
  nav.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      button.setAttribute("aria-expanded", "false");
      nav.classList.remove("is-open");
      button.focus();
    }
  });
})();
