// Dashboard behaviours of issue 13, all optional (every page works without JavaScript):
//  - [data-autosubmit]: a select or radio that submits its form when changed;
//  - form[data-confirm]: a <dialog> asks before an irreversible action, with the text the
//    server wrote (what will happen, how many rows), and submits only on "Confirm";
//  - [data-chips]: a searchable chips picker over a plain <select multiple>.
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.requestSubmit();
  });

  var dialog = null;
  function confirmDialog() {
    if (dialog) return dialog;
    dialog = document.createElement("dialog");
    dialog.className = "confirm";
    dialog.setAttribute("aria-labelledby", "confirm-title");
    dialog.innerHTML =
      '<form method="dialog"><h2 id="confirm-title">Are you sure?</h2><p data-text></p>' +
      '<div class="actions"><button value="cancel" class="secondary">Cancel</button>' +
      '<button value="ok" class="danger" data-ok>Confirm</button></div></form>';
    document.body.appendChild(dialog);
    return dialog;
  }

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!form.matches("form[data-confirm]") || form.dataset.confirmed === "1") return;
      event.preventDefault();
      event.stopImmediatePropagation();
      var d = confirmDialog();
      d.querySelector("#confirm-title").textContent = form.dataset.confirmTitle || "Are you sure?";
      d.querySelector("[data-text]").textContent = form.dataset.confirm;
      d.querySelector("[data-ok]").textContent = form.dataset.confirmButton || "Confirm";
      var submitter = event.submitter;
      d.onclose = function () {
        if (d.returnValue !== "ok") return;
        form.dataset.confirmed = "1";
        form.requestSubmit(submitter || undefined);
        form.dataset.confirmed = "";
      };
      d.returnValue = "";
      d.showModal();
      d.querySelector("[value=cancel]").focus();
    },
    true
  );

  // Chips: the <select multiple> stays the form field (hidden); chips show what is chosen,
  // a search box filters the checkbox list of options.
  function initChips(select) {
    var wrap = document.createElement("div");
    wrap.className = "chips-picker";
    var chips = document.createElement("div");
    chips.className = "chips";
    chips.setAttribute("aria-live", "polite");
    var search = document.createElement("input");
    search.type = "search";
    search.placeholder = "Search " + (select.dataset.chips || "options");
    search.setAttribute("aria-label", "Search " + (select.dataset.chips || "options"));
    var list = document.createElement("div");
    list.className = "chip-options";
    var boxes = [];
    Array.prototype.forEach.call(select.options, function (option) {
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox";
      box.checked = option.selected;
      box.value = option.value;
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + option.text));
      label.dataset.search = (option.value + " " + option.text).toLowerCase();
      list.appendChild(label);
      boxes.push(box);
      box.addEventListener("change", function () {
        option.selected = box.checked;
        render();
      });
    });
    function render() {
      chips.textContent = "";
      Array.prototype.forEach.call(select.options, function (option, i) {
        if (!option.selected) return;
        var chip = document.createElement("span");
        chip.className = "chip";
        chip.textContent = option.text;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "×";
        remove.setAttribute("aria-label", "Remove " + option.text);
        remove.addEventListener("click", function () {
          option.selected = false;
          boxes[i].checked = false;
          render();
        });
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
      if (!chips.childNodes.length) {
        var none = document.createElement("span");
        none.className = "muted";
        none.textContent = "None chosen";
        chips.appendChild(none);
      }
    }
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase();
      Array.prototype.forEach.call(list.children, function (label) {
        label.hidden = q !== "" && label.dataset.search.indexOf(q) === -1;
      });
    });
    select.hidden = true;
    select.parentNode.insertBefore(wrap, select.nextSibling);
    wrap.appendChild(chips);
    wrap.appendChild(search);
    wrap.appendChild(list);
    render();
  }

  function init() {
    document.querySelectorAll("select[data-chips]").forEach(initChips);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
