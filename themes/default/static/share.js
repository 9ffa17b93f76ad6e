// "Copy caption" on story pages: progressive enhancement of the readonly caption text area (the caption is
// selectable without JavaScript; CSP forbids inline script, so this lives here and is loaded on story pages only).
(function () {
  "use strict";
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var area = document.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector("[role=status]");
    if (!area || !status) return;
    function say(key) {
      // re-set the text so a screen reader announces a second copy too
      status.textContent = "";
      window.setTimeout(function () { status.textContent = status.getAttribute(key); }, 50);
    }
    function fallback() {
      area.focus();
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      say(ok ? "data-done" : "data-failed");
    }
    button.addEventListener("click", function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(area.value).then(function () { say("data-done"); }, fallback);
      } else {
        fallback();
      }
    });
    button.hidden = false;
  });
})();
