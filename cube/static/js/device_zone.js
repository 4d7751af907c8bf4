// The zone this device reports: marked in each time zone picker and moved to the top of its suggestions.
// Runs before pickers.js; the list works without it.
(() => {
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    return;
  }
  document.querySelectorAll("select[data-device-zone]").forEach((select) => {
    const option = Array.from(select.options).find((candidate) => candidate.value === zone);
    if (!option) return;
    option.textContent = select.dataset.deviceZone.replace("%(zone)s", option.textContent);
    option.dataset.thisDevice = "";
    const suggested = select.querySelector("optgroup");
    if (suggested) suggested.insertBefore(option, suggested.firstElementChild);
  });
})();
