# Mission Commander: two commands on a fresh machine.
#   make dev    install everything, run the whole local stack (Ctrl-C stops it all)
#   make test   install everything, run the whole test suite
PY := .venv/bin/python

.PHONY: setup dev test unit chat bench bench-smoke

setup:
	@bash scripts/setup.sh

dev: setup
	@$(PY) -m tools.local_stack

test: setup
	@$(PY) -m pytest

unit: setup
	@$(PY) -m pytest tests/unit

chat:
	@$(PY) -m tools.chat

# Benchmarks (docs/performance.md): the full run takes several minutes; the smoke run seconds.
bench: setup
	@$(PY) -m pip install -q --disable-pip-version-check -r bench/requirements.txt
	@PYTHONPATH=functions $(PY) -m bench full --out bench/results/full.json --plot docs/performance.png

bench-smoke: setup
	@PYTHONPATH=functions $(PY) -m bench smoke
