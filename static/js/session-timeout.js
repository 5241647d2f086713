/* The warning before a signed-in session ends (templates/includes/session_timeout.html).
 * data-idle-limit: seconds without activity before the session ends, counted from this
 * page's arrival (the server's count may have started up to half a minute earlier, so the
 * "ended" notice can come that much late, never early); data-warn-before: how long before
 * the end to warn. Then a modal dialog takes the focus and says when the session ends;
 * "Stay signed in" asks the keep-alive page (POST, with the page's CSRF token) and, if the
 * session goes on, closes the dialog and waits again. Once the time has passed,
 * the dialog says the session has ended and what happens to a form sent now. Without this
 * script nothing is lost either: a form sent late is kept on the pages that keep work. */
(function () {
  "use strict";

  var dialog = document.getElementById("session-timeout");
  if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) {
    return;
  }
  var title = document.getElementById("session-timeout-title");
  var text = document.getElementById("session-timeout-text");
  var actions = document.getElementById("session-timeout-actions");
  var token = dialog.querySelector("input[name=csrfmiddlewaretoken]");
  var stay = document.getElementById("session-timeout-stay");
  var close = document.getElementById("session-timeout-close");
  var warnBefore = Number(dialog.getAttribute("data-warn-before")) * 1000;
  var keepsWork = dialog.hasAttribute("data-keeps-work");
  var signInUrl = dialog.getAttribute("data-sign-in-url");
  var endsAt = 0;
  var timer = null;

  function clock(moment) {
    return new Date(moment).toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  }

  function minutesLeft() {
    var minutes = Math.max(1, Math.round((endsAt - Date.now()) / 60000));
    return minutes === 1 ? "about a minute" : "about " + minutes + " minutes";
  }

  function open() {
    if (!dialog.open) {
      dialog.showModal();
    }
  }

  // Open the dialog afresh, so that screen readers announce its new title and text, with
  // the focus on its first button or link.
  function reopen() {
    if (dialog.open) {
      dialog.close();
    }
    dialog.showModal();
  }

  function warn() {
    title.textContent = "Your session is about to end";
    text.textContent =
      "For your safety you will be signed out at " + clock(endsAt) + ", in " + minutesLeft() +
      ", unless you carry on. Choose \u201cStay signed in\u201d to keep working.";
    stay.hidden = false;
    open();
    stay.focus();
    schedule(ended, endsAt - Date.now());
  }

  function ended() {
    title.textContent = "Your session has ended";
    text.textContent = keepsWork
      ? "You were signed out. Close this message and send the form as usual: what you typed " +
        "is kept, and it is back on this page after you sign in again (attached files are not kept)."
      : "You were signed out. Sign in again to go on.";
    stay.hidden = true;
    if (!keepsWork && !dialog.querySelector("a")) {
      var link = document.createElement("a");
      link.href = signInUrl + "?next=" + encodeURIComponent(location.pathname + location.search);
      link.className = "btn btn-primary";
      link.textContent = "Sign in again";
      actions.insertBefore(link, close);
    }
    reopen();
  }

  function schedule(action, delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(action, Math.max(0, delay));
  }

  function start(seconds) {
    endsAt = Date.now() + seconds * 1000;
    if (endsAt - Date.now() <= warnBefore) {
      warn();
    } else {
      schedule(warn, endsAt - Date.now() - warnBefore);
    }
  }

  stay.addEventListener("click", function () {
    stay.disabled = true;
    fetch(dialog.getAttribute("data-keepalive-url"), {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { Accept: "application/json", "X-CSRFToken": token ? token.value : "" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .catch(function () {
        return null;
      })
      .then(function (answer) {
        stay.disabled = false;
        if (!answer) {
          ended();
          return;
        }
        if (answer.ends_in * 1000 <= warnBefore) {
          // Only the longest session length is left: carrying on cannot extend it.
          endsAt = Date.now() + answer.ends_in * 1000;
          text.textContent =
            "Sessions last at most a set time, and yours ends at " + clock(endsAt) +
            ". Send what you are working on before then.";
          stay.hidden = true;
          reopen();
          schedule(ended, endsAt - Date.now());
          return;
        }
        dialog.close();
        start(answer.ends_in);
      });
  });

  close.addEventListener("click", function () {
    dialog.close();
  });

  start(Number(dialog.getAttribute("data-idle-limit")));
})();
