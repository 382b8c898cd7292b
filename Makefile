# PPMS — one Makefile for a fresh machine (Debian 12, Python 3.11, root).
#   make run    set up and start the terminal on its embedded defaults (demo data, emulated devices)
#   make test   install system packages + venv, then run the whole suite (short soak/fuzz)
#   make bench  print benchmark JSON
#   make central  the center computer on SQLite with a demo terminal (docs/sync.md)
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
RUNDIR  := var
# python-escpos writes a temp folder on every import unless its capability cache is fixed
export ESCPOS_CAPABILITIES_PICKLE_DIR := $(CURDIR)/.cache/escpos
export HYPOTHESIS_STORAGE_DIRECTORY := $(CURDIR)/.cache/hypothesis
# compiled bytecode for every process the tests start (each `ppms` command is one), kept out
# of the tree; a box that sets PYTHONDONTWRITEBYTECODE would recompile every module each time
export PYTHONPYCACHEPREFIX := $(CURDIR)/.cache/pycache
unexport PYTHONDONTWRITEBYTECODE

# Debian packages the devices and their tests need (pyscard builds from source).
APT_PACKAGES := pcscd libpcsclite-dev swig vsmartcard-vpcd socat fonts-dejavu-core libusb-1.0-0 systemd python3-venv python3-wheel poppler-utils fonts-wqy-microhei postgresql xz-utils chromium

.PHONY: run test soak bench system-deps venv lint clean receipt-previews card-rig install central screens dashboard-screens

system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): setup.cfg pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,devices,cards,central,ui]'
	mkdir -p .cache/escpos .cache/hypothesis
	touch $@

venv: system-deps $(STAMP)

# the scripted demo, then the kiosk on its database (a window, or an offscreen replay + screenshots)
run: venv
	$(BIN)/python -m terminal.demo_run --dir $(RUNDIR)
	$(BIN)/python -m terminal.kiosk_demo --dir $(RUNDIR)

# every main kiosk screen at 800x480 and 1280x800, English and Chinese, into docs/screens/
screens: venv
	$(BIN)/python -m terminal.kiosk_demo --gallery docs/screens

# soak/fuzz tests (marked slow) run a short bounded form here; `make soak` runs them long
# two workers (the CI box has 2 cores), then the tests of the one real pcscd (fixed vpcd ports)
TEST_WORKERS ?= 2
test: venv lint
	rm -f $(ESCPOS_CAPABILITIES_PICKLE_DIR)/*.capabilities.pickle   # (a run killed mid-write leaves half a pickle)
	$(BIN)/python -c "import escpos.capabilities"   # its capability cache written once, before two workers race to
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) -m "not pcscd" --durations=25 tests
	$(BIN)/python -m pytest -q -m pcscd tests

soak: venv
	PPMS_SOAK=long $(BIN)/python -m pytest -q -m slow tests

lint: venv
	$(BIN)/ruff check terminal hardware sync central tests benches
	$(BIN)/mypy terminal hardware sync central

bench: venv
	$(BIN)/python -m benches

# the center computer on its embedded default (SQLite) with a demo terminal T01 registered
# (secret in var/central/T01.secret: point a terminal's [sync] secret_file at it)
CENTRAL_DB := sqlite:///$(CURDIR)/$(RUNDIR)/central/center.db
central: venv
	@mkdir -p $(RUNDIR)/central
	@test -f $(RUNDIR)/central/T01.secret || (umask 077; $(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $(RUNDIR)/central/T01.secret)
	$(BIN)/python -m central.cli --db $(CENTRAL_DB) init
	$(BIN)/python -m central.cli --db $(CENTRAL_DB) terminal add T01 --secret-file $(RUNDIR)/central/T01.secret
	$(BIN)/python -m central.cli --db $(CENTRAL_DB) serve --bind 127.0.0.1:8600 --workers 2

# the center's dashboard pages at desktop and phone widths into docs/dashboard/ (headless chromium
# from APT_PACKAGES, driven by Playwright; docs/dashboard.md)
dashboard-screens: venv
	$(BIN)/python -m tests.integration.dashboard.screens docs/dashboard

# the receipt pictures in docs/ come from the same layout as the printer's bytes
receipt-previews: venv
	$(BIN)/python -m hardware.printers.preview --out docs/receipt-preview.png
	$(BIN)/python -m hardware.printers.preview --format config/receipts/kiosk-58mm-sw.toml --copy --out docs/receipt-preview-58.png

# pcscd + an emulated SLE4442 card in "Virtual PCD 00 00", for `[card_reader] type = "pcsc"` without hardware
card-rig: venv
	@mkdir -p $(RUNDIR); test -S /run/pcscd/pcscd.comm || (pcscd --foreground >$(RUNDIR)/pcscd.log 2>&1 &)
	$(BIN)/python -m hardware.cards.emulator --image $(RUNDIR)/card.bin --profile acr38 --port 35963

clean:
	rm -rf $(VENV) .cache $(RUNDIR) *.egg-info

# install onto this box (root): users, /opt/ppms, /etc/ppms, /var/lib/ppms, udev rules, units
# (docs/install.md); again = upgrade in place. DESTDIR=DIR installs into a scratch root.
install:
	DESTDIR="$(DESTDIR)" ./deploy/install.sh $(INSTALL_ARGS)
