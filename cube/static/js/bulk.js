// Bulk changes on the work order list: "select all" and showing only the fields of the chosen action.
// Without this file every checkbox and field still works as a plain form.
(() => {
  const form = document.getElementById("bulk-form");
  if (!form) return;
  const all = document.getElementById("bulk-select-all");
  // The list renders each row twice (table for wide screens, cards for phones); only the shown copy counts.
  const shown = (box) => (box.checkVisibility ? box.checkVisibility() : box.offsetParent !== null);
  const items = () => Array.from(form.querySelectorAll("input[data-bulk-item]")).filter(shown);

  if (all) {
    all.hidden = false;
    const sync = () => {
      const boxes = items();
      const checked = boxes.filter((box) => box.checked).length;
      all.checked = boxes.length > 0 && checked === boxes.length;
      all.indeterminate = checked > 0 && checked < boxes.length;
    };
    all.addEventListener("change", () => {
      items().forEach((box) => { box.checked = all.checked; });
      sync();
    });
    form.addEventListener("change", (event) => {
      if (event.target instanceof HTMLInputElement && event.target.dataset.bulkItem !== undefined) sync();
    });
    sync();
  }

  const action = document.getElementById("bulk-action");
  if (action) {
    const show = () => {
      form.querySelectorAll("[data-bulk-for]").forEach((block) => {
        block.hidden = block.dataset.bulkFor !== action.value;
      });
    };
    action.addEventListener("change", show);
    show();
  }
})();
