# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
REGION := data/regions/shiyan/build/region.json
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test install region bench clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test]'
	# compile the numba pricing once here, not inside a solve's time limit
	$(BIN)/python -c 'from planner.models.pricing import warm_up; warm_up()'
	touch $@

install: $(BIN)/.installed

$(REGION): $(BIN)/.installed $(wildcard data/regions/shiyan/source/*) $(wildcard geo/build_region/*.py)
	$(BIN)/coverplan region build --region shiyan

region: $(REGION)

run: region
	$(BIN)/coverplan serve --host $(HOST) --port $(PORT)

# pytest exits 5 when it collected nothing; that must fail, and it does here.
# The files are shared out over the cores (pytest-xdist): each file's tests run in one process, in order,
# so its module fixtures (a browser, a server, solved proposals) are made once. TEST_JOBS=0 runs in one process.
TEST_JOBS ?= auto
test: region
	$(BIN)/python -m pytest -q -n $(TEST_JOBS) --dist loadfile

bench: region
	$(BIN)/python bench/solve.py
	$(BIN)/python bench/distance.py

clean:
	rm -rf data/regions/*/build cache
