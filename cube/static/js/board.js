// Drag a card onto another column to take the transition that leads there. Each card's buttons do the
// same without this file: dropping only submits the card's own transition form (same checks, same guards).
(() => {
  "use strict";
  const board = document.querySelector("[data-board]");
  if (!board) {
    return;
  }
  const HIGHLIGHT = ["border", "border-2", "border-primary"];
  let dragged = null;

  const formFor = (card, statusId) =>
    card.querySelector(`form[data-to-status="${CSS.escape(statusId || "")}"]`);

  const columnOf = (target) => (target instanceof Element ? target.closest("[data-status]") : null);

  const clear = () => {
    for (const zone of board.querySelectorAll("[data-dropzone]")) {
      zone.classList.remove(...HIGHLIGHT);
    }
  };

  board.addEventListener("dragstart", (event) => {
    const card = event.target instanceof Element ? event.target.closest("[data-card]") : null;
    if (!card) {
      return;
    }
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.card);
    for (const column of board.querySelectorAll("[data-status]")) {
      if (formFor(card, column.dataset.status)) {
        column.querySelector("[data-dropzone]")?.classList.add(...HIGHLIGHT);
      }
    }
  });

  board.addEventListener("dragend", () => {
    dragged = null;
    clear();
  });

  board.addEventListener("dragover", (event) => {
    const column = columnOf(event.target);
    if (dragged && column && formFor(dragged, column.dataset.status)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
    }
  });

  board.addEventListener("drop", (event) => {
    const column = columnOf(event.target);
    const form = dragged && column ? formFor(dragged, column.dataset.status) : null;
    clear();
    if (!form) {
      return;
    }
    event.preventDefault();
    const reason = form.querySelector("[name=reason]");
    if (reason && !reason.value.trim()) {
      // This move needs a reason: open the card's reason box and let the user type it.
      const details = form.closest("details");
      if (details) {
        details.open = true;
      }
      reason.focus();
      return;
    }
    form.requestSubmit();
  });
})();
