/* The monthly reports page (/staff/reports/): while some reports wait for a worker or are
 * being built, ask every few seconds where they stand (reports:progress, JSON) and show it.
 * A badge changes as a build moves on; when a build ends (ready or failed), that report's
 * card is read again from the page itself, so its links or its error appear, and a polite
 * live region says so. Without this script the page works the same: reload it. */
(function () {
  "use strict";

  var note = document.getElementById("report-progress");
  var news = document.getElementById("report-progress-news");
  if (!note || !news || !window.fetch || !window.DOMParser) {
    return;
  }
  var url = note.getAttribute("data-progress-url");
  var EVERY = 5000; // milliseconds between two questions
  var ENDED = { done: true, failed: true };
  var failures = 0;

  function waiting() {
    return Array.prototype.filter.call(
      document.querySelectorAll("[data-run-id][data-run-status]"),
      function (element) {
        return !ENDED[element.getAttribute("data-run-status")];
      }
    );
  }

  function say(text) {
    news.textContent = "";
    window.setTimeout(function () {
      news.textContent = text;
    }, 50);
  }

  function cardOf(element) {
    var card = element.closest("li.card[id]");
    return card && !card.contains(document.activeElement) ? card : null;
  }

  // Read the page again and put in the new version of each card whose build ended.
  function refreshCards(ended) {
    var cards = ended.map(cardOf).filter(Boolean);
    if (!cards.length) {
      return Promise.resolve();
    }
    return fetch(window.location.href, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "text/html", "X-Background-Poll": "1" },
    })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        if (!html) {
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        cards.forEach(function (card) {
          var replacement = fresh.getElementById(card.id);
          if (replacement) {
            card.replaceWith(document.importNode(replacement, true));
          }
        });
      });
  }

  function ask() {
    var runs = waiting();
    if (!runs.length) {
      return;
    }
    if (document.hidden) {
      window.setTimeout(ask, EVERY);
      return;
    }
    var query = runs
      .map(function (element) {
        return "run=" + encodeURIComponent(element.getAttribute("data-run-id"));
      })
      .join("&");
    fetch(url + "?" + query, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json", "X-Background-Poll": "1" },
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") !== 0) {
          throw new Error("no progress answer");
        }
        return response.json();
      })
      .then(function (answer) {
        failures = 0;
        var ended = [];
        var told = [];
        runs.forEach(function (element) {
          var now = answer.runs[element.getAttribute("data-run-id")];
          if (!now || now.status === element.getAttribute("data-run-status")) {
            return;
          }
          element.setAttribute("data-run-status", now.status);
          var label = element.querySelector("[data-run-label]");
          if (label) {
            label.textContent = now.label;
          }
          told.push(element.getAttribute("data-run-name") + ": " + now.label.toLowerCase());
          if (ENDED[now.status]) {
            ended.push(element);
          }
        });
        if (told.length) {
          say(told.join(". ") + ".");
        }
        return refreshCards(ended);
      })
      .catch(function () {
        failures += 1; // signed out, or the server is away: stop after a few tries
      })
      .then(function () {
        if (failures < 3) {
          window.setTimeout(ask, EVERY);
        } else {
          note.textContent = "This page stopped updating itself: reload it to see where the reports stand.";
        }
      });
  }

  window.setTimeout(ask, EVERY);
})();
