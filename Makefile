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
	  "SELECT subject, metric, value, unit, period, source FROM v_claims WHERE subject IN ('nvidia','onsemi','huawei','trainium3','tpu') ORDER BY subject, metric LIMIT 25"
	$(BIN)/thesiswatch --config examples/thesiswatch.yaml status

test: $(STAMP)
	$(BIN)/python -m pytest -q

eval: $(STAMP)
	$(BIN)/thesiswatch eval

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) examples/demo.duckdb*
