# powlab — build, test, benchmark.
GO       ?= go
BIN      ?= bin/powlab
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)
LDFLAGS  := -X github.com/powlab/powlab/results.Version=$(VERSION) -X github.com/powlab/powlab/results.Commit=$(COMMIT)
BENCHARGS ?= --prefix 000000

.PHONY: all build bench test test-race test-purego vet generate check-generate gobench fuzz clean

all: build

build:
	$(GO) mod download
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/powlab

# The main job: hashrate of every kernel at 1 and all workers, well under a minute.
bench: build
	./$(BIN) bench $(BENCHARGS)

# The tests: vet, the race detector, and the pure-Go build (no assembly).
test: vet test-race test-purego

vet:
	$(GO) mod download
	$(GO) vet ./...
	$(GO) vet -tags purego ./...

test-race:
	$(GO) test -race -timeout 10m ./...

test-purego:
	$(GO) test -tags purego -timeout 10m ./...

# Regenerate the SIMD kernels' assembly from the avo generators.
generate:
	$(GO) generate ./miner/sha256x

# Fail if the committed assembly differs from what the generators write.
check-generate: generate
	git diff --exit-code -- miner/sha256x

# Kernel and search benchmarks in benchstat-friendly form.
gobench:
	$(GO) test -run XXX -bench . -benchmem -count 5 ./miner/...

fuzz:
	$(GO) test -run XXX -fuzz FuzzKernels -fuzztime 30s ./miner/sha256x

clean:
	rm -rf bin results-out
