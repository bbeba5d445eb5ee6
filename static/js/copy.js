// Copy buttons (progressive enhancement): <button data-copy="#field-id" hidden> is shown only
// when the clipboard is available; without JavaScript the read-only field can be selected.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.querySelector(button.getAttribute("data-copy"));
      if (!field) return;
      navigator.clipboard.writeText(field.value).then(function () {
        var done = button.parentElement.querySelector("[data-copy-done]");
        if (done) { done.hidden = false; }
        button.textContent = "Copied";
      });
    });
  });
})();
