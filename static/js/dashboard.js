// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";

  // Review queue keyboard shortcuts: j/k move between rows, a approves, r focuses the reject
  // reason (Enter then rejects). Ignored while typing in a field.
  function rows() {
    return Array.from(document.querySelectorAll("[data-review-row]:not(.done)"));
  }
  function current() {
    return document.querySelector("[data-review-row].current:not(.done)") || rows()[0] || null;
  }
  function select(row) {
    document.querySelectorAll("[data-review-row].current").forEach(function (r) { r.classList.remove("current"); });
    if (row) { row.classList.add("current"); row.focus(); }
  }
  document.addEventListener("keydown", function (event) {
    if (!document.querySelector("[data-review-queue]")) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) return;
    var list = rows();
    var row = current();
    var index = row ? list.indexOf(row) : -1;
    if (event.key === "j") { select(list[Math.min(index + 1, list.length - 1)]); event.preventDefault(); }
    else if (event.key === "k") { select(list[Math.max(index - 1, 0)]); event.preventDefault(); }
    else if (event.key === "a" && row) { var b = row.querySelector("[data-approve]"); if (b) { b.click(); event.preventDefault(); } }
    else if (event.key === "r" && row) { var f = row.querySelector("[data-reject-reason]"); if (f) { f.focus(); event.preventDefault(); } }
  });
  // After a row is decided (htmx swapped it), move the focus to the next one.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.matches && target.matches("[data-review-row]")) {
      var next = rows()[0];
      if (next) select(next);
    }
  });

  // Bulk selection: a "select all" box for the enrollments table.
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-select-all]")) {
      document.querySelectorAll("input[name=ids]").forEach(function (box) { box.checked = event.target.checked; });
    }
  });

  // Instance editor: show only the inputs of the chosen eligibility mode (all stay in the form).
  function syncMode() {
    var chosen = document.querySelector("input[name='rules-mode']:checked");
    if (!chosen) return;
    document.querySelectorAll("[data-mode]").forEach(function (section) {
      section.hidden = section.getAttribute("data-mode") !== chosen.value;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "rules-mode") syncMode();
  });
  document.addEventListener("DOMContentLoaded", syncMode);

  // An htmx request that failed (server error, lost connection, no permission) says so.
  function announce(text) {
    var box = document.getElementById("messages");
    if (!box) return;
    box.innerHTML = "";
    var list = document.createElement("ul");
    list.className = "messages";
    var item = document.createElement("li");
    item.className = "error";
    item.textContent = text;
    list.appendChild(item);
    box.appendChild(list);
  }
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    announce(status === 403 ? "Your role does not allow this." :
             status === 404 ? "Not found: it may have been removed. Reload the page." :
             "Something went wrong (" + status + "). Reload the page and try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    announce("The server could not be reached. Check your connection and try again.");
  });

  // Replaces inline handlers, which the Content-Security-Policy forbids: a select marked
  // data-autosubmit submits its form when changed (the workspace switcher), and a button marked
  // data-confirm="question" on a BUTTON asks before submitting (deletes). A form marked
  // data-confirm gets product.js's dialog instead; clicks inside it are not this handler's.
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select[data-autosubmit]") && event.target.form) {
      event.target.form.requestSubmit();
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
})();
