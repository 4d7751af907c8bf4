// Searchable pickers: every select[data-picker] becomes a Tom Select (search, optgroups, one or several values).
// Without this file (or without JavaScript) the select stays a plain select and keeps working.
// Words come from the select's data attributes, translated by the template: data-placeholder, data-no-results,
// data-remove-label. Hints meant only for the plain select (data-picker-hint next to it) are hidden once enhanced.
// Remote mode (data-picker-source="<lookup url>"): the select lists only the chosen options, and the picker asks
// the lookup for matches as the person types (at least one character, debounced); chosen options stay.
(() => {
  "use strict";
  if (typeof window.TomSelect !== "function") {
    return;
  }

  /** Settings that load options from ``source`` (a lookup answering [{value, text, optgroup?}]) as the person types. */
  const remote = (source) => ({
    preload: false,
    loadThrottle: 250,
    shouldLoad: (query) => query.trim().length >= 1,
    load: (query, callback) => {
      const url = new URL(source, window.location.href);
      url.searchParams.set("q", query.trim());
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : []))
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
    const plugins = {};
    if (multiple) {
      plugins.remove_button = { title: data.removeLabel || "×" };
    }
    return {
      ...(data.pickerSource ? remote(data.pickerSource) : {}),
      plugins,
      maxOptions: null,
      allowEmptyOption: Array.from(select.options).some((option) => option.value === ""),
      placeholder: data.placeholder || undefined,
      hidePlaceholder: true,
      closeAfterSelect: !multiple,
      lockOptgroupOrder: true,
      searchField: ["text"],
      render: {
        no_results: (_data, escape) => `<div class="no-results">${escape(data.noResults || "")}</div>`,
      },
    };
  };

  /** Enhance one select (once) and hide its no-JavaScript hint. */
  const enhance = (select) => {
    if (select.tomselect) {
      return;
    }
    const picker = new window.TomSelect(select, settingsFor(select));
    picker.wrapper.classList.add("picker");
    // The label now names the search box; the plain select stays in the form but leaves the accessibility tree.
    select.setAttribute("aria-hidden", "true");
    const container = select.parentElement;
    if (container) {
      container.querySelectorAll("[data-picker-hint]").forEach((hint) => {
        hint.hidden = true;
      });
    }
    const described = (select.getAttribute("aria-describedby") || "")
      .split(/\s+/)
      .filter((id) => id && !document.getElementById(id)?.hidden);
    if (described.length) {
      picker.control_input.setAttribute("aria-describedby", described.join(" "));
    }
  };

  document.querySelectorAll("select[data-picker]").forEach(enhance);
})();
