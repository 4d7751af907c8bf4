// Drag a card onto another column to take the transition that leads there. Each card's buttons do the
// same without this file: dropping only submits the card's own transition form (same checks, same guards).
// It also shows the "wider than the screen" hint, the scroll buttons and the side shadows only while the board
// overflows (without this file the hint always shows and the board still scrolls).
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
        for (const zone of column.querySelectorAll("[data-dropzone]")) {
          zone.classList.add(...HIGHLIGHT);
        }
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

  // Overflow: hint, buttons and shadows follow the scroll position (right to left scrolls the other way).
  const shell = board.closest("[data-board-shell]");
  const hint = document.querySelector("[data-board-hint]");
  const nav = document.querySelector("[data-board-nav]");
  const buttons = nav ? [...nav.querySelectorAll("[data-board-scroll]")] : [];
  const rtl = () => getComputedStyle(board).direction === "rtl";

  const update = () => {
    const room = board.scrollWidth - board.clientWidth;
    const moved = Math.abs(board.scrollLeft);
    const overflows = room > 1;
    const more = { "-1": overflows && moved > 1, 1: overflows && moved < room - 1 };
    if (hint) {
      hint.hidden = !overflows;
    }
    if (nav) {
      nav.hidden = !overflows;
    }
    for (const button of buttons) {
      button.disabled = !more[button.dataset.boardScroll];
    }
    shell?.classList.toggle("board-more-start", more["-1"]);
    shell?.classList.toggle("board-more-end", more[1]);
  };

  for (const button of buttons) {
    button.addEventListener("click", () => {
      const step = Number(button.dataset.boardScroll) * board.clientWidth * 0.8;
      const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      board.scrollBy({ left: rtl() ? -step : step, behavior: smooth ? "smooth" : "auto" });
    });
  }
  board.addEventListener("scroll", update, { passive: true });
  board.addEventListener("toggle", update, true); // a folded column opened or closed (toggle does not bubble)
  window.addEventListener("resize", update);
  if ("ResizeObserver" in window) {
    new ResizeObserver(update).observe(board);
  }
  update();
})();
