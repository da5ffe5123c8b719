// Show a field that matters only when a checkbox is ticked (pupils appear, logo used).
// Without JavaScript every field stays visible and the server checks them all.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-conditional]").forEach((input) => {
    const trigger = document.getElementById(`id_${input.dataset.conditional}`);
    const wrapper = input.closest(".field");
    if (!trigger || !wrapper) return;
    const update = () => { wrapper.hidden = !trigger.checked; };
    trigger.addEventListener("change", update);
    update();
  });
});
