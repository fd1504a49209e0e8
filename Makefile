# Thin wrapper over CMake: the two commands README.md promises, plus a few conveniences.
#   make run   install missing packages, build, run the default scenario, print the report path
#   make test  install missing packages, build, run every test (ctest)
#   make bench build, then the performance bench (bench/run.sh; minutes; not part of test/CI)
#   make bench-scale, bench-sweep, bench-engine  the other benches (bench/scale.sh, sweep.sh,
#              engine.sh: linearity, memory and 1000 stores; sweep -j 2; SimGrid settings)
BUILD    ?= build
SCENARIO ?= scenarios/three-regions-star.json
OUT      ?= out/three-regions-star
WERROR   ?= $(if $(REPLSIM_WERROR),ON,OFF)
JOBS     ?= 2

.PHONY: all deps configure build run test bench bench-scale bench-sweep bench-engine clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DREPLSIM_WERROR=$(WERROR) >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

run: build
	./$(BUILD)/replsim run $(SCENARIO) --out $(OUT)
	@echo "report: $(OUT)/summary.md (also summary.json, timeseries.csv, plots/)"

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

bench: build
	bash bench/run.sh $(BUILD)

bench-scale: build
	bash bench/scale.sh $(BUILD)

bench-sweep: build
	bash bench/sweep.sh $(BUILD)

bench-engine: build
	bash bench/engine.sh $(BUILD)

clean:
	rm -rf $(BUILD) out
