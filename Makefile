# The commands of the README work on a fresh machine with Python 3.11 and make:
#   make demo     - the demo playbooks against the bundled simulator
#   make test     - every test, on the lowest (2.16) and the newest (2.19) supported ansible-core,
#                   in two lanes side by side (tools/test.sh; logs in tests/output/lanes/)
#   make docs     - the user guide and the module reference as a static site (docs/build/html)
#   make release  - the collection tarball, from a clean tree, into dist/
#   make vcsim    - the modules against govmomi's vcsim (built by tools/vcsim.sh)
# Everything is installed into virtualenvs by tools/venv.sh from pinned requirement files:
# .venv (tests/requirements-dev.txt: ansible-core 2.19 and every tool) and
# .venv-2.16 (tests/requirements-core-2.16.txt). Nothing is installed system-wide.

VENV ?= $(CURDIR)/.venv
VENV_LOW ?= $(CURDIR)/.venv-2.16
export VENV

.PHONY: all venv venv-low demo test test-low sanity units simulator-tests integration reliability \
	sanity-low units-low integration-low typecheck lint molecule ecosystem vcsim docs release clean

all: test

venv:
	@tools/venv.sh

venv-low:
	@VENV=$(VENV_LOW) tools/venv.sh tests/requirements-core-2.16.txt

demo:
	@tools/demo.sh

test:
	@tools/test.sh

# ansible-core 2.19 (the newest supported), from .venv
sanity: venv
	tools/ansible-test.sh sanity --venv --python 3.11 --color no

units: venv
	tools/ansible-test.sh units --venv --python 3.11 --color no

simulator-tests: venv
	$(VENV)/bin/python -m pytest -p no:cacheprovider simulator/tests

reliability: venv
	$(VENV)/bin/python -m pytest -p no:cacheprovider tests/reliability -q

integration: venv
	tools/ansible-test.sh integration --python 3.11 --color no

# ansible-core 2.16 (the lowest supported), from .venv-2.16. Its integration run takes one flavour
# configuration (auto against a /rest-only simulator): what differs between ansible-core versions
# is how modules are run, not how the client speaks to vCenter, which 2.19 covers in every flavour.
test-low: sanity-low units-low integration-low

sanity-low: venv-low
	VENV=$(VENV_LOW) tools/ansible-test.sh sanity --venv --python 3.11 --color no

units-low: venv-low
	VENV=$(VENV_LOW) tools/ansible-test.sh units --venv --python 3.11 --color no

integration-low: venv-low
	VENV=$(VENV_LOW) INTEGRATION_FLAVORS="auto rest" tools/ansible-test.sh integration --python 3.11 --color no

# mypy on plugins/ and the simulator
typecheck: venv
	tools/typecheck.sh

lint: venv
	tools/lint.sh

# the built tarball, ansible-doc, the docs, ad-hoc, AWX (ansible-runner), the EE, check mode
ecosystem: venv
	$(VENV)/bin/python -m pytest -p no:cacheprovider tests/ecosystem

molecule: venv
	tools/molecule.sh test

# govmomi's vcsim as a second, independent vCenter stand-in (tests/vcsim/README.md)
vcsim: venv
	$(VENV)/bin/python -m pytest -p no:cacheprovider tests/vcsim -q

docs: venv
	tools/docs.sh

release: venv
	tools/release.sh

clean:
	rm -rf .tmp tests/output dist docs/build .ansible
