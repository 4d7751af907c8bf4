// Searchable pickers: every select[data-picker] becomes a Tom Select (search, optgroups, one or several values).
// Without this file (or without JavaScript) the select stays a plain select and keeps working.
// Words come from the select's data attributes, translated by the template: data-placeholder, data-no-results,
// data-remove-label, data-signed-out. Hints meant only for plain selects (data-picker-hint) are hidden.
// Remote mode (data-picker-source="<lookup url>"): the select lists only the chosen options, and the picker asks
// the lookup for matches as the person types (at least one character, debounced); chosen options stay. Until the
// person types, the open list says what to do (the placeholder's words) above the options it has (a blank
// "none" option stays choosable); a signed-out answer (401) says so instead of showing nothing.
(() => {
  "use strict";
  if (typeof window.TomSelect !== "function") {
    return;
  }

  /** Settings that load options from ``source`` (a lookup answering [{value, text, optgroup?}]) as the person types;
   * ``state.signedOut`` records a refusal for want of a session. */
  const remote = (source, state) => ({
    preload: false,
    loadThrottle: 250,
    shouldLoad: (query) => query.trim().length >= 1,
    load: (query, callback) => {
      const url = new URL(source, window.location.href);
      url.searchParams.set("q", query.trim());
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => {
          state.signedOut = response.status === 401;
          return response.ok ? response.json() : [];
        })
        .then((options) => {
          const groups = [...new Set(options.map((option) => option.optgroup).filter(Boolean))];
          callback(options, groups.map((name) => ({ value: name, label: name })));
        })
        .catch(() => callback());
    },
  });

  /** Tom Select settings for one select, read from its data attributes. */
  const settingsFor = (select) => {
    const multiple = select.multiple;
    const data = select.dataset;
    const state = { signedOut: false };
    const plugins = {};
    if (multiple) {
      plugins.remove_button = { title: data.removeLabel || "×" };
    }
    const message = (text) => `<div class="no-results">${text}</div>`;
    return {
      ...(data.pickerSource ? remote(data.pickerSource, state) : {}),
      plugins,
      maxOptions: null,
      allowEmptyOption: Array.from(select.options).some((option) => option.value === ""),
      placeholder: data.placeholder || undefined,
      hidePlaceholder: true,
      closeAfterSelect: !multiple,
      lockOptgroupOrder: true,
      searchField: ["text"],
      render: {
        no_results: (_data, escape) =>
          message(escape((state.signedOut ? data.signedOut : data.noResults) || "")),
        not_loading: (_data, escape) => (data.pickerSource ? message(escape(data.placeholder || "")) : null),
      },
    };
  };

  /** Enhance one select (once); it is described by its hints that are still shown. */
  const enhance = (select) => {
    if (select.tomselect) {
      return;
    }
    const picker = new window.TomSelect(select, settingsFor(select));
    picker.wrapper.classList.add("picker");
    // While the person types in a single picker, the chosen value's words make way for theirs.
    const typing = (query) => picker.wrapper.classList.toggle("picker-typing", query !== "");
    picker.on("type", typing);
    ["item_add", "blur"].forEach((event) => picker.on(event, () => typing("")));
    // The label now names the search box; the plain select stays in the form but leaves the accessibility tree.
    select.setAttribute("aria-hidden", "true");
    const described = (select.getAttribute("aria-describedby") || "")
      .split(/\s+/)
      .filter((id) => id && !document.getElementById(id)?.hidden);
    if (described.length) {
      picker.control_input.setAttribute("aria-describedby", described.join(" "));
    }
  };

  // The no-JavaScript hints (beside a select, or one note for a form's pickers) go first.
  document.querySelectorAll("[data-picker-hint]").forEach((hint) => {
    hint.hidden = true;
  });
  document.querySelectorAll("select[data-picker]").forEach(enhance);
})();
