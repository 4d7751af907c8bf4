// Searchable pickers: every select[data-picker] becomes a Tom Select; the plain select works without this file.
document.querySelectorAll("select[data-picker]").forEach((select) => {
  if (typeof TomSelect === "undefined" || select.tomselect) return;
  new TomSelect(select, {
    placeholder: select.dataset.placeholder || "",
    maxOptions: null,
    lockOptgroupOrder: true,
    plugins: select.multiple ? ["remove_button"] : [],
  });
});
