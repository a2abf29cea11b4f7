# The two commands: `make run` and `make test`. Both set up what they need and are idempotent.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
NODE_STAMP := node_modules/.installed-$(shell cat package-lock.json | sha1sum | cut -c1-12)

export AWS_EC2_METADATA_DISABLED := true
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_VERSION_CHECK := 1
export CDK_DISABLE_CLI_TELEMETRY := 1

# Debian packages the tests and the main job use: jq (the user guide's pipes in the CLI tests),
# chromium (the browser tests, driven by Playwright; never a browser download), espeak-ng (the
# main job's sample video speaks a sentence the transcription engine must recognise).
DEBIAN_PACKAGES := jq chromium espeak-ng

.PHONY: setup system run test lint typecheck unit clean reset fuzz

setup: system $(STAMP) $(NODE_STAMP)

# Installs only what is missing, so a machine that has them runs no apt at all.
system:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		command -v apt-get >/dev/null 2>&1 || { echo "need Debian packages: $$missing"; exit 1; }; \
		echo "installing Debian packages: $$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,engines]'
	@rm -f $(VENV)/.installed-*
	@touch $@

# Node tooling for tests (asl-validator), pinned by package-lock.json.
$(NODE_STAMP): package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "need npm (Node.js 20) on PATH"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@rm -f node_modules/.installed-*
	@touch $@

run: setup
	$(BIN)/medialens run

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

test: setup lint typecheck
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# A long property-based run of both APIs (thousands of generated requests; a few minutes).
fuzz: setup
	$(BIN)/python bench/api_fuzz.py --cases $(or $(CASES),200)

reset: setup
	$(BIN)/medialens reset

clean:
	rm -rf $(VENV) node_modules .medialens .pytest_cache .mypy_cache .ruff_cache
