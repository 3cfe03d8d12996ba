# The two commands a new user needs. Both work on a fresh Debian machine with Swift 6.3 installed.
.PHONY: demo test build

BIN := .build/release/handmesh

# Installs what is needed, fetches the models, builds in release and runs on the embedded default input.
demo:
	scripts/install-system-packages
	swift build -c release
	$(BIN) models fetch
	$(BIN) run

# The whole test suite; .ci/run calls exactly this.
test:
	scripts/test

build:
	swift build -c release
