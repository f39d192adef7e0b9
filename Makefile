# The two commands users need (see README.md):
#   make run    install what is missing, build, start Loket on ./loket-data
#   make test   install what is missing, build, run every test
#
# Builds use the CMake presets in CMakePresets.json: build/release for
# running, build/debug (AddressSanitizer + UBSan) and build/fuzz (libFuzzer)
# for testing.

JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60

.PHONY: all setup build run test test-release test-asan fuzz bench clean

all: build

setup:
	@scripts/setup.sh run

build: setup
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

run: build
	build/release/loket serve

test:
	@scripts/setup.sh test
	@$(MAKE) --no-print-directory fuzz
	@$(MAKE) --no-print-directory test-release
	@$(MAKE) --no-print-directory test-asan

test-release:
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)
	ctest --preset release -j $(JOBS)

test-asan:
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)
	ctest --preset debug -j $(JOBS)

# A short run of each fuzz target over its seed corpus, FUZZ_SECONDS in
# all (the request parser gets half); long runs belong outside CI:
# make fuzz FUZZ_SECONDS=3600
FUZZ_TARGETS = request:2 multipart:4 mail:4
fuzz:
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)
	@set -e; for t in $(FUZZ_TARGETS); do \
	  name=$${t%%:*}; share=$${t##*:}; \
	  rm -rf build/fuzz/corpus-$$name && mkdir -p build/fuzz/corpus-$$name; \
	  build/fuzz/fuzz/fuzz_$$name \
	    -max_total_time=$$(( $(FUZZ_SECONDS) / $$share )) \
	    -artifact_prefix=build/fuzz/ -print_final_stats=1 \
	    build/fuzz/corpus-$$name fuzz/corpus/$$name; \
	done

bench:
	@scripts/setup.sh bench
	bench/run-all.sh

clean:
	rm -rf build
