# Mission Commander: two commands on a fresh machine.
#   make dev    install everything, run the whole local stack (Ctrl-C stops it all)
#   make test   install everything, run the whole test suite
PY := .venv/bin/python

.PHONY: setup dev test unit chat

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
