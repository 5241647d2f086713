/* Names for the controls Django's admin scripts build after the page has loaded, which
   axe and screen readers would otherwise find nameless:
   - the autocomplete boxes (select2): the combobox and its text are named by the field's
     label, and the selected value;
   - the magnifier icons of the two-list pickers (filter_horizontal): their description
     is given as an image's name, so the label around them reads it.
   A MutationObserver names them as they appear, inline rows added later included. */
(function () {
  "use strict";

  function labelFor(select) {
    if (!select || !select.id) return null;
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (label && !label.id) label.id = select.id + "-label";
    return label;
  }

  function nameAutocomplete(container) {
    var select = container.previousElementSibling;
    var label = labelFor(select);
    if (!label) return;
    container.querySelectorAll('[role="combobox"]').forEach(function (box) {
      var rendered = box.querySelector(".select2-selection__rendered");
      var ids = [label.id];
      if (rendered && rendered.id) {
        ids.push(rendered.id);
        rendered.setAttribute("aria-labelledby", label.id);
      }
      box.setAttribute("aria-labelledby", ids.join(" "));
    });
    container.querySelectorAll("input.select2-search__field").forEach(function (input) {
      input.setAttribute("aria-labelledby", label.id);
    });
  }

  function nameAll(root) {
    root.querySelectorAll(".select2-container").forEach(nameAutocomplete);
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  new MutationObserver(function (changes) {
    changes.forEach(function (change) {
      change.addedNodes.forEach(function (node) {
        if (node.nodeType === Node.ELEMENT_NODE) nameAll(node.parentNode || node);
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
