# Two entry points: `make demo` and `make test`. Both build .venv on first use.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench eval clean

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

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

eval: $(STAMP)
	$(BIN)/thesiswatch eval

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) examples/demo.duckdb*
