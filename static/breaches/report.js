// Keeps the report draft on the server while the person types (progressive enhancement:
// without JavaScript the "Save draft" button does the same).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("report-form");
  const status = document.getElementById("autosave-status");
  if (!form || !form.dataset.autosaveUrl) return;
  let timer = null;
  const save = () => {
    const data = new FormData(form);
    for (const key of [...data.keys()]) {
      if (data.get(key) instanceof File) data.delete(key);
    }
    fetch(form.dataset.autosaveUrl, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": data.get("csrfmiddlewaretoken") || "" },
    }).then((response) => {
      if (!response.ok) throw new Error(response.statusText);
      const now = new Date();
      status.textContent = `Draft saved at ${now.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })}.`;
    }).catch(() => {
      status.textContent = "The draft could not be saved just now; use “Save draft”.";
    });
  };
  const schedule = () => { clearTimeout(timer); timer = setTimeout(save, 1500); };
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  window.addEventListener("pagehide", () => { if (timer) { clearTimeout(timer); save(); } });
});

// Shows only the questions that apply (everything stays visible without JavaScript).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("report-form");
  if (!form) return;
  const wrap = (id) => {
    const el = document.getElementById(id);
    return el ? el.closest(".field") || el : null;
  };
  const show = (el, visible) => { if (el) el.hidden = !visible; };
  const update = () => {
    const kind = form.querySelector("input[name=concerned_kind]:checked");
    const unknown = kind && kind.value === "unknown";
    show(wrap("id_concerned"), !unknown);
    show(wrap("id_concerned_description"), unknown);
    show(wrap("id_academy"), unknown);
    const platform = document.getElementById("id_platform");
    show(wrap("id_platform_other"), platform && platform.value === "other");
    const safeguarding = document.getElementById("id_safeguarding");
    const flagged = safeguarding && safeguarding.checked;
    show(wrap("id_cpoms_reference"), flagged);
    show(document.getElementById("cpoms-notice"), flagged);
    const bullying = document.getElementById("id_cyberbullying");
    show(wrap("id_reporter_wishes"), bullying && bullying.checked);
  };
  form.addEventListener("change", update);
  update();
});
