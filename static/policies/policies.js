// Print buttons appear only where JavaScript can print; the browser's own Print works anyway.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".print-button").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
});
