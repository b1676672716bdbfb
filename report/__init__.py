"""The analyst's report page: one self-contained HTML file read from the warehouse (a stage after thesis/)."""
