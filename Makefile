# Two commands matter: `make serve` and `make test`. Everything else is what they call.
VENV   := .venv
PY     := $(VENV)/bin/python
export NO_MKDOCS_2_WARNING := 1

.PHONY: serve test check build lint docs lock linkcheck urls external-links verify-sources bench properdocs
serve: $(VENV)/.installed  ## build the site and serve it on http://127.0.0.1:8000, rebuilding on edits
	$(VENV)/bin/mkdocs serve --dirty --no-strict  # rebuild only changed pages; `make build` and the tests stay strict

test: $(VENV)/.installed  ## the whole test suite, on every core (one worker per test file: a file's builds are shared)
	$(PY) -m pytest -n auto --dist loadfile

check: $(VENV)/.installed  ## validate data/ without building the site
	$(PY) hooks/check.py

build: $(VENV)/.installed  ## strict build into a fresh folder, swapped in for site/ only when whole (never -q or -v: both defeat strict mode)
	$(PY) hooks/publish.py site

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check hooks tests

docs: $(VENV)/.installed  ## after changing hooks/microsite/model.py: rewrite what is generated from it (the lists in README.md and the guide, the editor schemas)
	$(PY) hooks/docgen.py
	$(PY) hooks/check.py --write-schemas

# Every package, transitive ones too, is pinned with its hashes: pip refuses anything else. The venv's own pip
# (any version, 23.2.1 on a stock Python 3.11.7) first installs the pip of requirements-pip.txt, pinned by hash,
# which then installs the lock, then requirements-nodeps.txt without dependencies (see there why).
$(VENV)/.installed: requirements.txt requirements-pip.txt requirements-nodeps.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-pip.txt
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-nodeps.txt
	touch $@

# Re-lock from requirements.in with pip-tools in a throwaway venv. Existing pins are kept; `make lock
# LOCK_ARGS=--upgrade` (or `--upgrade-package NAME`) moves them. Hashes come from PyPI itself (no local
# mirror, wheel folder or pip config), so they match what CI and a fresh machine download.
# --allow-unsafe pins setuptools too: misp-stix needs setuptools>=83 at run time, newer than a fresh venv's.
lock:  ## regenerate the hashed requirements.txt from requirements.in
	tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && python3 -m venv "$$tmp" \
	&& "$$tmp/bin/pip" install --quiet pip==26.3 pip-tools==7.6.2 \
	&& env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="make lock" \
	   "$$tmp/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras --index-url https://pypi.org/simple \
	   --no-emit-index-url $(LOCK_ARGS) --output-file requirements.txt requirements.in

linkcheck: build  ## every link and anchor in the built HTML, and no vanished URL
	$(PY) hooks/sitecheck.py links site
	$(PY) hooks/sitecheck.py urls site

urls: build  ## record the site's current URLs as published (after adding pages on purpose)
	$(PY) hooks/sitecheck.py urls site --record

external-links: build  ## every external URL of the site and the sources, with retries and a cache (needs the internet)
	$(PY) hooks/linkcheck.py --site site --data data --report external-links.md

# VERIFY_ARGS=--save also asks the Internet Archive to capture pages it has no snapshot of; --only ID checks one source.
verify-sources: $(VENV)/.installed  ## check every quote against its web page or archived copy (needs the internet); writes data/verification/
	$(PY) hooks/verify.py --report verification-report.md $(VERIFY_ARGS)

# `PYTHONPATH=hooks $(PY) -m bench.benchmark --profile FOLDER` shows where the CPU time of one build of a project goes.
bench: $(VENV)/.installed  ## CPU time of our build vs MkDocs alone (real data, 1k, 10k entities), of a serve rebuild (takes long); writes docs/performance.md
	PYTHONPATH=hooks $(PY) -m bench.benchmark --sizes 1000,10000 --out docs/performance.md

# Both builds share one SOURCE_DATE_EPOCH (the commit's time unless set), or the gzip header of the sitemap differs.
properdocs: $(VENV)/.installed  ## build with ProperDocs as well and compare with the MkDocs build (README: ProperDocs)
	$(PY) -m pip install --quiet --no-deps --require-hashes -r requirements-properdocs.txt
	$(PY) -m pip check
	export SOURCE_DATE_EPOCH=$${SOURCE_DATE_EPOCH:-$$(git log -1 --format=%ct)} \
	&& $(VENV)/bin/mkdocs build --strict --site-dir site-mkdocs \
	&& $(VENV)/bin/properdocs build --strict --config-file mkdocs.yml --site-dir site-properdocs \
	&& $(PY) hooks/sitecheck.py same site-mkdocs site-properdocs
