// Keeps the report draft on the server while the person types (progressive enhancement:
// without JavaScript the "Save draft" button does the same).
// Once the form is submitted (Send, Save draft, Attach, Delete draft) nothing more is
// autosaved from this page: the submission itself carries what was typed, and a save still
// pending would otherwise reach the server after the report was sent. The server refuses it
// anyway (the page's draft token is spent when the report is sent: 409).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("report-form");
  const status = document.getElementById("autosave-status");
  if (!form || !form.dataset.autosaveUrl) return;
  let timer = null;
  let stopped = false;
  const stop = () => { stopped = true; clearTimeout(timer); timer = null; };
  const save = ({ keepalive = false } = {}) => {
    timer = null;
    if (stopped) return;
    const data = new FormData(form);
    for (const key of [...data.keys()]) {
      if (data.get(key) instanceof File) data.delete(key);
    }
    fetch(form.dataset.autosaveUrl, {
      method: "POST", body: data, credentials: "same-origin", keepalive,
      headers: { "X-CSRFToken": data.get("csrfmiddlewaretoken") || "" },
    }).then((response) => {
      if (response.status === 409) {
        stop();
        status.textContent = "This report has already been sent; nothing more is saved from this page.";
        return;
      }
      if (!response.ok) throw new Error(response.statusText);
      const now = new Date();
      status.textContent = `Draft saved at ${now.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" })}.`;
    }).catch(() => {
      status.textContent = "The draft could not be saved just now; use “Save draft”.";
    });
  };
  const schedule = () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(save, 1500);
  };
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", stop);
  window.addEventListener("pagehide", () => { if (timer && !stopped) { clearTimeout(timer); save({ keepalive: true }); } });
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
