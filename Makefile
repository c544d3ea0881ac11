# The two commands: `make run` and `make test`. Both create the virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install run test test-core broker-start broker-stop broker-status bench drill clean

$(BIN)/newsmon: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test,embeddings]'
	touch $@

install: $(BIN)/newsmon

# Starts the local broker (unless KAFKA_BOOTSTRAP_SERVERS is set) and every stage, with the default topic.
run: install
	$(BIN)/newsmon run

# The whole suite; its session fixture starts a real broker on a free port and stops it afterwards.
test: install
	$(BIN)/pytest

# Without the broker: stage functions and the other parts that need no Kafka.
test-core: install
	$(BIN)/pytest -m "not kafka"

broker-start: install
	$(BIN)/newsmon broker start
broker-stop: install
	$(BIN)/newsmon broker stop
broker-status: install
	$(BIN)/newsmon broker status

bench: install
	$(BIN)/python benchmarks/bench_index.py

clean:
	rm -rf $(VENV) .newsmon .pytest_cache

# Faults, load and hostile input, measured (about ten minutes): prints the table the README shows.
drill: install
	$(BIN)/python benchmarks/drill.py
