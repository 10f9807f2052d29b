package nodecmd

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil/cmdtest"
)

func parse(t *testing.T, args ...string) (*NodeOptions, error) {
	t.Helper()
	return cmdtest.Options(NewCmdNode, args)
}

func TestFlags(t *testing.T) {
	o, err := parse(t, "--listen", "127.0.0.1:0", "--data", "/tmp/x", "--rules", "tutorial", "--prefix", "000",
		"--peers", "127.0.0.1:5006,http://127.0.0.1:5007", "--mine", "--workers", "2", "--kernel", "stdlib", "--max-rate", "1000")
	if err != nil {
		t.Fatal(err)
	}
	if o.Listen != "127.0.0.1:0" || o.DataDir != "/tmp/x" || o.Chain.Rules != "tutorial" || o.Chain.Target.Prefix != "000" ||
		len(o.Peers) != 2 || !o.Mine || o.Workers != 2 || o.Kernel != "stdlib" || o.MaxRate != 1000 {
		t.Fatalf("options %+v", o)
	}
}

// TestDAAFlags: node takes the chain flags' difficulty algorithm.
func TestDAAFlags(t *testing.T) {
	o, err := parse(t, "--daa", "asert", "--half-life", "30m", "--block-time", "2s")
	if err != nil {
		t.Fatal(err)
	}
	co, err := o.Chain.Options()
	if err != nil || co.DAA != "asert" || co.HalfLife != 30*time.Minute || co.BlockTime != 2*time.Second {
		t.Fatalf("options %+v, %v", co, err)
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		has  string
	}{
		{"listen", []string{"--listen", "5005"}, "--listen"},
		{"rules", []string{"--rules", "litecoin"}, "--rules"},
		{"two targets", []string{"--prefix", "0", "--bits", "4"}, "only one of"},
		{"powlab suffix", []string{"--rules", "powlab", "--suffix", "00"}, "powlab rules"},
		{"peer", []string{"--peers", "ftp://x:1"}, "--peers"},
		{"workers", []string{"--workers", "-1"}, "--workers"},
		{"kernel", []string{"--kernel", "warp"}, "unknown kernel"},
		{"rate", []string{"--max-rate", "-5"}, "--max-rate"},
		{"log level", []string{"--log-level", "loud"}, "--log-level"},
		{"daa", []string{"--daa", "kgw"}, "--daa"},
		{"daa under tutorial rules", []string{"--rules", "tutorial", "--daa", "asert"}, "tutorial rules"},
		{"window twice", []string{"--retarget", "5", "--daa-window", "6"}, "same parameter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parse(t, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			o.IO = cmdutil.IO{Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}}
			_, _, err = o.config()
			var fe *cmdutil.FlagError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.has) {
				t.Fatalf("error %v, want a FlagError with %q", err, tc.has)
			}
		})
	}
}

// runNode serves until its context ends, then stops cleanly with no error
// (exit 0 on SIGINT/SIGTERM).
func TestRunNodeStopsOnSignal(t *testing.T) {
	o, err := parse(t, "--listen", "127.0.0.1:0", "--data", t.TempDir(), "--rules", "tutorial", "--prefix", "0",
		"--mine", "--workers", "1", "--max-rate", "5000")
	if err != nil {
		t.Fatal(err)
	}
	var out, logs syncBuffer
	o.IO = cmdutil.IO{In: strings.NewReader(""), Out: &out, ErrOut: &logs}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runNode(ctx, o) }()
	re := regexp.MustCompile(`on (http://127\.0\.0\.1:\d+)`)
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == ""; {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no address printed: %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(url + "/status")
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("runNode: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("runNode did not stop")
	}
	if !strings.Contains(out.String(), "stopped at height") {
		t.Fatalf("output %q", out.String())
	}
	if !strings.Contains(logs.String(), "node stopped") {
		t.Fatalf("logs %q", logs.String())
	}
}
