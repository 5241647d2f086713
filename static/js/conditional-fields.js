/* Fields shown only when they apply (core.forms.reveals). A choice field whose inputs carry
 * data-reveals='{"yes": ["service_type"]}' controls the fields named there: each shows
 * while one of the values naming it is chosen, and is hidden otherwise. A hidden field's
 * inputs are disabled, so the browser does not send them. When a field appears, a polite
 * live region says so. A field that came back with an error stays shown, so that the
 * message can be read and the value corrected.
 *
 * Without this script every field shows and its help text says when it applies; the
 * server checks the dependency either way. Fields are found by crispy-forms' wrapper id
 * "div_id_<name>". */
(function () {
  "use strict";

  function wrapperOf(name) {
    return document.getElementById("div_id_" + name);
  }

  function labelOf(wrapper) {
    var label = wrapper.querySelector("legend, label");
    if (!label) {
      return "";
    }
    var copy = label.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".asteriskField"), function (star) {
      star.remove();
    });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function setUp(form, news) {
    var controls = {}; // control name → {value: [field names]}
    Array.prototype.forEach.call(form.querySelectorAll("[data-reveals]"), function (input) {
      try {
        controls[input.name] = JSON.parse(input.getAttribute("data-reveals"));
      } catch (error) {
        // A mark that cannot be read: leave every field shown.
      }
    });

    function chosen(name) {
      var values = [];
      Array.prototype.forEach.call(form.elements, function (element) {
        if (element.name !== name || element.disabled) {
          return;
        }
        if (element.type === "radio" || element.type === "checkbox") {
          if (element.checked) {
            values.push(element.value);
          }
        } else if (element.tagName === "SELECT") {
          Array.prototype.forEach.call(element.selectedOptions, function (option) {
            values.push(option.value);
          });
        } else {
          values.push(element.value);
        }
      });
      return values;
    }

    function wanted() {
      var shown = {}; // field name → true when a chosen value reveals it
      var all = {};
      Object.keys(controls).forEach(function (name) {
        var map = controls[name];
        var values = chosen(name);
        Object.keys(map).forEach(function (value) {
          map[value].forEach(function (field) {
            all[field] = true;
            if (values.indexOf(value) !== -1) {
              shown[field] = true;
            }
          });
        });
      });
      return { all: Object.keys(all), shown: shown };
    }

    function apply(announce) {
      var state = wanted();
      var appeared = [];
      state.all.forEach(function (field) {
        var wrapper = wrapperOf(field);
        if (!wrapper) {
          return;
        }
        var show = state.shown[field] || (!announce && wrapper.querySelector(".is-invalid"));
        if (show && wrapper.hidden) {
          appeared.push(labelOf(wrapper));
        }
        wrapper.hidden = !show;
        Array.prototype.forEach.call(
          wrapper.querySelectorAll("input, select, textarea"),
          function (input) {
            input.disabled = !show;
          }
        );
      });
      if (announce && appeared.length) {
        news.textContent = "";
        window.setTimeout(function () {
          news.textContent = "Now shown below: " + appeared.join(", ") + ".";
        }, 50);
      }
    }

    apply(false);
    form.addEventListener("change", function (event) {
      if (event.target && controls[event.target.name]) {
        apply(true);
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
    if (!form.querySelector("[data-reveals]")) {
      return;
    }
    var news = document.createElement("div");
    news.className = "visually-hidden";
    news.setAttribute("role", "status");
    news.setAttribute("aria-live", "polite");
    form.appendChild(news);
    setUp(form, news);
  });
})();
