# The two commands a new user needs. Both work on a fresh Debian machine with Swift 6.3 installed.
.PHONY: demo test build install

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

# The daemon as systemd runs it: the binary where the units expect it, the units, an example config
# (never over an existing one), and the models in the service's state directory. A DynamicUser
# service's state lives in /var/lib/private/handmesh, reached through /var/lib/handmesh.
# DESTDIR stages the whole tree elsewhere (packaging, tests).
install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)/usr/local/bin/handmesh
	install -D -m 0644 systemd/handmesh.service $(DESTDIR)/etc/systemd/system/handmesh.service
	install -D -m 0644 systemd/handmesh@.service $(DESTDIR)/etc/systemd/system/handmesh@.service
	[ -e $(DESTDIR)/etc/handmesh/handmesh.toml ] || install -D -m 0644 Config/handmesh.example.toml $(DESTDIR)/etc/handmesh/handmesh.toml
	install -d -m 0700 $(DESTDIR)/var/lib/private
	install -d -m 0755 $(DESTDIR)/var/lib/private/handmesh
	[ -e $(DESTDIR)/var/lib/handmesh ] || ln -s private/handmesh $(DESTDIR)/var/lib/handmesh
	HANDMESH_MODELS=$(DESTDIR)/var/lib/private/handmesh/models $(BIN) models fetch

$(BIN):
	swift build -c release
