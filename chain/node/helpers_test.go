package node

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/miner"
)

// testTimeout bounds every wait in these tests.
const testTimeout = 20 * time.Second

func testLogger(t *testing.T) *slog.Logger {
	if os.Getenv("POWLAB_NODE_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("test", t.Name())
	}
	return nil
}

// tutorialOpts are tutorial rules at an easy difficulty.
func tutorialOpts(prefix string) chain.Options {
	return chain.Options{Rules: chain.RulesTutorial, Target: miner.MustPrefix(prefix)}
}

// startNode runs a node on an ephemeral loopback port, closed at cleanup.
func startNode(t *testing.T, cfg Config) *Node {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.Chain.Rules == "" {
		cfg.Chain = tutorialOpts("00")
	}
	if cfg.Miner.Workers == 0 {
		cfg.Miner.Workers = 1
	}
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	if cfg.PeerTimeout == 0 {
		cfg.PeerTimeout = 3 * time.Second
	}
	n, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- n.Serve(ln) }()
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	waitFor(t, "node serving", func() bool { return n.Addr() != "" })
	return n
}

// waitFor polls cond every 10 ms until it holds or testTimeout passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var testClient = &http.Client{Timeout: testTimeout}

// call sends a request and returns the status and body.
func call(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, data
}

// mustJSON decodes data into a generic value.
func mustJSON(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("decode %q: %v", data, err)
	}
	return m
}

// tipOf is a node's tip hash.
func tipOf(n *Node) chain.Hash { return n.Tip().Hash }

func mustBits(t *testing.T, n int) miner.Target {
	t.Helper()
	tg, err := miner.ZeroBitsTarget(n)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

var chainValidateOpts = chain.ValidateOptions{Workers: 1}
