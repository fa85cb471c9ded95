# The two commands of the README work on a fresh machine with Python 3.11 and make:
#   make demo   - the demo playbook against the bundled simulator
#   make test   - every test: sanity, units, simulator, integration (both flavours), linters
# Everything is installed into .venv (tools/venv.sh); nothing is installed system-wide.

VENV ?= $(CURDIR)/.venv
export VENV

.PHONY: all venv demo test sanity units simulator-tests integration reliability lint benchmark clean

all: test

venv:
	@tools/venv.sh

demo: venv
	tools/demo.sh

test: sanity units simulator-tests integration reliability lint
	@echo "make test: every test passed"

sanity: venv
	tools/ansible-test.sh sanity --venv --python 3.11 --color no

units: venv
	tools/ansible-test.sh units --venv --python 3.11 --color no

simulator-tests: venv
	$(VENV)/bin/python -m pytest -p no:cacheprovider tests/simulator/tests

reliability: venv
	$(VENV)/bin/python -m pytest -p no:cacheprovider tests/reliability -q

integration: venv
	tools/ansible-test.sh integration --python 3.11 --color no

lint: venv
	tools/lint.sh

clean:
	rm -rf .tmp tests/output
