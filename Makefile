# The two README commands:
#   make run   -- set up, build, and run the main job (the GUI where a display exists,
#                 otherwise a headless demo that renders a preset and says where it went)
#   make test  -- set up, build, and run every test (what .ci/run calls)
BUILD ?= build

.PHONY: setup build run test bench clean
setup:
	./scripts/setup.sh
build:
	./scripts/build.sh $(BUILD)
run:
	./scripts/run.sh $(BUILD)
test:
	./scripts/test.sh $(BUILD)
bench:
	./scripts/bench.sh $(BUILD)
clean:
	rm -rf $(BUILD) build-asan build-nollm build-fuzz
