"""The products blueprint: companies, catalog, assets, locations and inventory."""
