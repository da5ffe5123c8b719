// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("DOMContentLoaded", () => {
  // Buttons with data-confirm ask before submitting their form.
  document.querySelectorAll("[data-confirm]").forEach((el) => {
    el.addEventListener("click", (event) => {
      if (!window.confirm(el.dataset.confirm)) event.preventDefault();
    });
  });
});

// Person search pickers (accounts/pickers.py; htmx fetches the results). In the search box,
// Enter searches now instead of sending the whole form, and Down arrow moves to the results.
document.addEventListener("keydown", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || box.type !== "search") return;
  const picker = box.closest("[data-person-picker]");
  if (!picker) return;
  if (event.key === "Enter") {
    event.preventDefault();
    box.dispatchEvent(new Event("search"));
  } else if (event.key === "ArrowDown") {
    const choice = picker.querySelector("input[type=radio]:checked")
      || picker.querySelector("input[type=radio]");
    if (choice) {
      event.preventDefault();
      choice.focus();
    }
  }
});
