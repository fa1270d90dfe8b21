# ExpenseTracker developer commands. `make run` and `make test` are the README's two commands.
.PHONY: run build test test-unit bench soak scaleout migrate format lint clean

# Build and serve on the embedded default (SQLite under ./data, mail to files).
run:
	@scripts/install-deps.sh build
	swift run expense-tracker serve

build:
	@scripts/install-deps.sh build
	swift build

# Everything CI runs: installs dependencies, starts PostgreSQL, runs all suites.
test:
	scripts/test.sh

# The Swift tests alone, on SQLite only (no PostgreSQL cluster).
test-unit:
	swift test

# Release-build benchmarks on PostgreSQL with a million expenses (see docs/benchmarks.md).
bench:
	scripts/bench.sh

# 200 simulated people for 60 s against the release build on PostgreSQL, every acknowledged
# change checked afterwards (scripts/soak.sh; `make test` runs a 15-second one on the debug build).
soak:
	scripts/soak.sh

# The scale-out shape on loopback (PostgreSQL primary and streaming standby, HAProxy, two
# servers, two workers, an SMTP server) on the release build, with capacity figures
# (scripts/scaleout.sh; `make test` runs a short version on the debug build).
scaleout:
	scripts/scaleout.sh

# Apply pending migrations to DATABASE_URL (or the embedded database).
migrate:
	swift run expense-tracker migrate

format:
	swift format --in-place --recursive Package.swift Sources Tests Migrations/MigrationFiles.swift

lint:
	swift format lint --strict --recursive Package.swift Sources Tests Migrations/MigrationFiles.swift

clean:
	rm -rf .build
