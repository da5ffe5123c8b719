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

// Main navigation. At phone width one "Menu" button shows the whole list; the Records and
// Manage menus (<details>) close with Escape, when another opens, or on a click elsewhere.
document.addEventListener("DOMContentLoaded", () => {
  const nav = document.querySelector(".main-nav");
  if (!nav) return;
  const toggle = nav.querySelector(".main-nav__toggle");
  const list = nav.querySelector(".main-nav__list");
  if (toggle && list) {
    nav.classList.add("main-nav--collapsible");
    toggle.hidden = false;
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      list.classList.toggle("is-open", open);
    });
  }
  const menus = [...nav.querySelectorAll(".nav-menu details")];
  menus.forEach((menu) => {
    menu.addEventListener("toggle", () => {
      if (menu.open) menus.forEach((other) => { if (other !== menu) other.open = false; });
    });
    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
  });
  document.addEventListener("click", (event) => {
    menus.forEach((menu) => { if (menu.open && !menu.contains(event.target)) menu.open = false; });
  });
});

// A table wider than its box scrolls sideways: the box takes keyboard focus and is named by the
// table's caption, so keyboard users can scroll it too (WCAG 2.1.1).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".table-wrap:not([tabindex])").forEach((wrap) => {
    if (wrap.scrollWidth <= wrap.clientWidth) return;
    const caption = wrap.querySelector("caption");
    wrap.tabIndex = 0;
    wrap.setAttribute("role", "region");
    wrap.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
  });
});

// After a form is refused, its error summary (a list of links to the fields at fault) takes
// focus, so a screen reader reads it and Tab goes to the first field to mend.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
});
