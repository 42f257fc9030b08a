// Progressive enhancement only: every page works without this file.
// The copy-link button appears only where the Clipboard API can do its job.
document.addEventListener("DOMContentLoaded", function () {
  if (!navigator.clipboard) return;
  document.querySelectorAll("button[data-copy-target]").forEach(function (button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (!input) return;
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(input.value).then(function () {
        button.textContent = label + " " + button.getAttribute("data-copied");
        setTimeout(function () { button.textContent = label; }, 2000);
      });
    });
  });
});
