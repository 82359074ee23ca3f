# flowsift — developer tasks. `make help` lists them.
SHELL := bash
GO ?= go
CORPUS ?= ../shared/corpus
FUZZTIME ?= 10s
BIN := bin/flowsift
PKGS := ./...

.PHONY: help
help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

.PHONY: build
build: ## build bin/flowsift
	$(GO) build -trimpath -o $(BIN) ./cmd/flowsift

.PHONY: demo
demo: build ## read the bundled real captures and a firewall log into a store and NDJSON, then search them
	@rm -rf out/store && mkdir -p out
	@echo "== flowsift read --store out/store -o out/demo.ndjson testdata/demo/*.pcap"
	./$(BIN) read --store out/store -o out/demo.ndjson testdata/demo/wikipedia.pcap testdata/demo/instagram.pcap
	@echo "== first record of $$(wc -l < out/demo.ndjson) in out/demo.ndjson:"
	@head -n 1 out/demo.ndjson
	@echo "== flowsift search --store out/store 'network.transport:tcp AND destination.port:443' --top destination.ip"
	./$(BIN) search --store out/store 'network.transport:tcp AND destination.port:443' --top destination.ip --format table
	@echo "== flowsift read --store out/store --log-year 2011 testdata/demo/firewall.log   # the same network's firewall and sshd logs"
	./$(BIN) read --store out/store --log-year 2011 testdata/demo/firewall.log
	@echo "== one connection seen by the sensor (flow, http) and by the firewall, joined on its Community ID:"
	./$(BIN) search --store out/store 'network.community_id:"1:23JKDxfIoGW8QwmTQ80eENbb+Zw="' --fields @timestamp,event.dataset,source.ip,destination.ip,destination.port,event.action,url.original --format table
	@echo "== now try: ./$(BIN) search --store out/store 'event.action:ssh_login AND event.outcome:failure' --top source.ip"

.PHONY: test
test: fmt-check vet lint test-race fuzz-smoke bench-smoke eval check-generated ## everything CI runs

.PHONY: test-short
test-short: ## unit tests without corpus or real servers
	$(GO) test -short $(PKGS)

.PHONY: test-unit
test-unit: ## unit tests
	$(GO) test $(PKGS)

.PHONY: test-race
test-race: ## unit tests with the race detector
	$(GO) test -race -count=1 $(PKGS)

.PHONY: fmt-check
fmt-check: ## fail if gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

.PHONY: fmt
fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

.PHONY: vet
vet: ## go vet
	$(GO) vet $(PKGS)

.PHONY: lint
lint: ## staticcheck
	$(GO) tool staticcheck $(PKGS)

.PHONY: fuzz-smoke
fuzz-smoke: ## run every fuzz target for FUZZTIME (default 10s); a crasher fails, Go 1.26's deadline race does not
	FUZZTIME=$(FUZZTIME) ./scripts/fuzz-smoke.sh

.PHONY: fuzz
fuzz: ## longer fuzzing: make fuzz FUZZTIME=5m
	$(MAKE) fuzz-smoke FUZZTIME=$(FUZZTIME)

.PHONY: bench-smoke
bench-smoke: ## run every Go benchmark once (they must compile and run)
	$(GO) test -run '^$$' -bench . -benchtime 1x $(PKGS)

.PHONY: bench-go
bench-go: ## Go benchmarks with allocations, 6 counts for benchstat
	$(GO) test -run '^$$' -bench . -benchmem -count 6 $(PKGS)

.PHONY: bench
bench: build ## flowsift vs softflowd and ndpiReader on the benchmark capture (FULL=1 for 9.6 M packets)
	./scripts/bench.sh

.PHONY: bench-collect
bench-collect: ## flow collectors side by side (flowsift, goflow2, nfacctd, nfcapd) fed by ../shared/bench/flowreplay
	./scripts/bench-collect.sh

.PHONY: bench-store
bench-store: ## the store on N (10 M) records made from the quick benchmark capture: ingest, size, queries vs grep
	@test -f $${TMPDIR:-/tmp}/flowsift-bench-c8.pcap || ../shared/bench/make-bench-pcap.sh -c 8 $(CORPUS)/pcap $${TMPDIR:-/tmp}/flowsift-bench-c8.pcap
	$(GO) run ./cmd/flowsift-benchstore -pcap $${TMPDIR:-/tmp}/flowsift-bench-c8.pcap -n $(or $(N),10000000)

.PHONY: eval
eval: eval-zeek eval-collect ## compare flows with nDPI's and Zeek's truth, flow exports with tshark's, logs with Elastic's; fails under the bars
	$(GO) run ./cmd/flowsift-eval -corpus $(CORPUS)

.PHONY: eval-zeek
eval-collect: ## flow exports against tshark's decodes, log lines against Elastic's fields, per field and per vendor; fails under the bars
	@set -o pipefail; $(GO) test -count=1 -run 'TestCorpusAgainstTshark' -v ./internal/collect/... 2>&1 | \
		awk '/^(ok|FAIL|---)/ { print; next } /_test\.go:[0-9]+: .*%/ { sub(/^ *[a-z_]+_test\.go:[0-9]+: /, "    "); print }'
	@set -o pipefail; $(GO) test -count=1 -run 'TestCorpus$$' -v ./internal/normalize/all 2>&1 | \
		awk '/^(ok|FAIL|---)/ { print; next } /_test\.go:[0-9]+: / { sub(/^ *[a-z_]+_test\.go:[0-9]+: /, "    "); print }'

eval-zeek: ## the dissectors' fields against Zeek's logs, per protocol and field; fails under the bars
	@set -o pipefail; $(GO) test -count=1 -run 'Zeek' -v ./internal/dissect/... 2>&1 | \
		awk '/^(ok|FAIL|---)/ { print; next } /_test\.go:[0-9]+: .*%/ { sub(/^ *[a-z_]+_test\.go:[0-9]+: /, "    "); print }'

.PHONY: generate
generate: ## regenerate the log fields of the schema (from the parsers on the corpus) and docs/schema.md
	$(GO) test -count=1 ./internal/normalize/all -run TestLogSchema -args -update
	$(GO) test ./internal/record -run TestSchemaDoc -update

.PHONY: check-generated
check-generated: ## fail if generated files are stale
	$(GO) test ./internal/normalize/all -run TestLogSchema -count=1
	$(GO) test ./internal/record -run TestSchemaDoc -count=1

.PHONY: cover
cover: ## coverage report in out/cover.html
	@mkdir -p out
	$(GO) test -coverprofile out/cover.out $(PKGS) && $(GO) tool cover -html out/cover.out -o out/cover.html

.PHONY: vuln
vuln: ## govulncheck
	$(GO) run golang.org/x/vuln/cmd/govulncheck@latest $(PKGS)

.PHONY: clean
clean: ## remove build outputs
	rm -rf bin out
