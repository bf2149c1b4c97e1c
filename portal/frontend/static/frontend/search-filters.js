// Catalogue search on a narrow screen: the filters start folded behind their "Filters" button so the
// results come first. Without JavaScript the filters simply stay open.
const filters = document.querySelector("[data-portal-filters]");
if (filters && window.matchMedia("(max-width: 40.0525em)").matches) {
  filters.open = false;
}
