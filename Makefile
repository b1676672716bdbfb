# Two entry points: `make demo` and `make test`. Both build .venv on first use.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench eval screenshot clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	rm -f examples/demo.duckdb examples/demo.duckdb.lock
	$(BIN)/thesiswatch --config examples/thesiswatch.yaml run
	$(BIN)/thesiswatch --config examples/thesiswatch.yaml sql \
	  "SELECT subject, metric, value, unit, qualifier, previous_value AS prev, period, source, quote FROM v_latest_claims WHERE metric IN ('price_target', 'upside', 'market_cap', 'market_cap_change', 'capacity_share', 'production_capacity', 'shipments', 'performance_ratio', 'parameters', 'memory_capacity', 'memory_bandwidth', 'compute', 'process_node') ORDER BY subject, metric"
	$(BIN)/thesiswatch --config examples/thesiswatch.yaml status
	$(BIN)/thesiswatch --config examples/thesiswatch.yaml report
	@echo "Open examples/report.html in a browser. Next: source $(BIN)/activate, then see the README's Commands."

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

eval: $(STAMP)
	$(BIN)/thesiswatch eval

# docs/report.png, the README's picture of the demo's report page (needs chromium: apt-get install chromium).
CHROMIUM ?= chromium
screenshot: $(STAMP)
	test -f examples/demo.duckdb || $(MAKE) demo
	$(BIN)/thesiswatch --config examples/thesiswatch.yaml report --out examples/report.html
	$(CHROMIUM) --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,2600 \
	  --screenshot=docs/report.png file://$(CURDIR)/examples/report.html
	@echo "Wrote docs/report.png"

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) examples/demo.duckdb* examples/report.html
