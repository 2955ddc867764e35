"""Historical Japan–US and Korea–US host-nation support agreements (CSV, with sources)."""
