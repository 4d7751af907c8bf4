// The "Use a part" form with JavaScript: the product select becomes a searchable picker (Tom Select), and choosing
// a product refreshes the location options with that product's stock, best-stocked first. Without this file the
// plain select lists the products and "Show stock" reloads the page with the same information.
(() => {
  "use strict";
  const form = document.querySelector("form[data-parts-form]");
  const product = form?.querySelector("select[data-parts-picker]");
  const location = form?.querySelector("select[name$='location_id']");
  if (!form || !product || !location || typeof TomSelect === "undefined") {
    return;
  }
  for (const element of form.querySelectorAll("[data-parts-nojs]")) {
    element.hidden = true;
  }
  const searchUrl = form.dataset.searchUrl;
  const stockUrl = (id) => form.dataset.stockUrl.replace(/\/0\/stock$/, `/${encodeURIComponent(id)}/stock`);

  const options = {
    create: false,
    maxOptions: 100,
    valueField: "value",
    labelField: "text",
    searchField: ["text"],
    allowEmptyOption: false,
    closeAfterSelect: true,
  };
  if (searchUrl) {
    Object.assign(options, {
      preload: false,
      shouldLoad: (query) => query.trim().length > 0,
      load: (query, callback) => {
        const url = `${searchUrl}?q=${encodeURIComponent(query.trim())}`;
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then((response) => (response.ok ? response.json() : { results: [] }))
          .then((data) => callback(data.results))
          .catch(() => callback());
      },
    });
  }
  const picker = new TomSelect(product, options);
  product.setAttribute("aria-hidden", "true"); // the label now names the search box; the select stays for the form

  const option = (place) => {
    const element = document.createElement("option");
    element.value = String(place.value);
    element.textContent = place.text;
    return element;
  };

  const showStock = (data) => {
    const blank = location.querySelector("option[value='']");
    location.replaceChildren(...(blank ? [blank] : []));
    const groups = [
      [data.groups.in_stock, data.locations.filter((place) => place.in_stock)],
      [data.groups.elsewhere, data.locations.filter((place) => !place.in_stock)],
    ];
    for (const [label, places] of groups) {
      if (places.length) {
        const group = document.createElement("optgroup");
        group.label = label;
        group.append(...places.map(option));
        location.append(group);
      }
    }
    location.value = data.default_location_id === null ? "" : String(data.default_location_id);
    form.querySelector("[data-parts-stock]")?.remove(); // the options now say what each place holds
  };

  picker.on("change", (value) => {
    if (!value) {
      return;
    }
    fetch(stockUrl(value), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => data && showStock(data))
      .catch(() => {});
  });

  if (form.querySelector(".is-invalid")) {
    form.closest("details")?.scrollIntoView({ block: "start" });
  }
})();
