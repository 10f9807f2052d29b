package validatecmd

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/powlab/powlab/chain"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil/cmdtest"
	"github.com/powlab/powlab/miner"
)

// makeChain mines n blocks into a fresh data directory and returns it with
// the /chain document.
func makeChain(t *testing.T, rules string, target miner.Target, n int) (string, []byte) {
	t.Helper()
	dir := t.TempDir()
	c, err := chain.Open(context.Background(), dir, chain.Options{Rules: rules, Target: target, Mine: chain.MineOptions{Workers: 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.AddTx(chain.Tx{Sender: "alice", Recipient: "bob", Amount: chain.Float(2.5)})
	for range n {
		if _, err := c.Mine(context.Background(), chain.MineOptions{Workers: 1}); err != nil {
			t.Fatal(err)
		}
	}
	return dir, c.ChainJSON()
}

func run(t *testing.T, o *ValidateOptions) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	o.IO = cmdutil.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errb}
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	if o.MaxBytes == 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	err := runValidate(context.Background(), o)
	return out.String(), errb.String(), err
}

func writeFile(t *testing.T, data []byte) string {
	p := filepath.Join(t.TempDir(), "chain.json")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFlagsToOptions(t *testing.T) {
	got, err := cmdtest.Options(NewCmdValidate, []string{"--url", "127.0.0.1:5005", "--rules", "tutorial", "--prefix", "000", "--timeout", "3s", "--json"})
	if err != nil {
		t.Fatal(err)
	}
	if got.URL != "127.0.0.1:5005" || got.Chain.Rules != "tutorial" || got.Chain.Target.Prefix != "000" ||
		got.Timeout != 3*time.Second || !got.JSON || got.MaxBytes != DefaultMaxBytes {
		t.Fatalf("got %+v", *got)
	}
}

func TestValidateStoreAndFile(t *testing.T) {
	bits, _ := miner.ZeroBitsTarget(8)
	dir, doc := makeChain(t, chain.RulesPowlab, bits, 3)
	tests := []struct {
		name string
		o    ValidateOptions
	}{
		{"store", ValidateOptions{Data: dir}},
		{"file", ValidateOptions{File: writeFile(t, doc)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, err := run(t, &tc.o)
			if err != nil {
				t.Fatalf("%v\n%s", err, errs)
			}
			if !strings.HasPrefix(out, "valid: 4 blocks") || strings.Contains(errs, "warning") {
				t.Fatalf("stdout %q stderr %q", out, errs)
			}
		})
	}
}

func TestValidateReportsFirstFailure(t *testing.T) {
	bits, _ := miner.ZeroBitsTarget(8)
	_, doc := makeChain(t, chain.RulesPowlab, bits, 3)
	blocks, err := chain.DecodeChainJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	blocks[1].Transactions[0].Amount = chain.Int(99)
	o := &ValidateOptions{File: writeFile(t, chain.EncodeChainJSON(blocks)), JSON: true}
	out, _, err := run(t, o)
	if err == nil || cmdutil.ExitCode(err) != cmdutil.ExitError {
		t.Fatalf("tampered chain: %v", err)
	}
	var v Verdict
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatal(err)
	}
	if v.Valid || v.Error == nil || v.Error.Index != 2 || v.Error.Code != chain.CodeBadMerkleRoot.String() {
		t.Fatalf("verdict %+v", v)
	}
}

func TestValidateTutorialWarnsAndForges(t *testing.T) {
	_, doc := makeChain(t, chain.RulesTutorial, miner.MustPrefix("00"), 3)
	out, errs, err := run(t, &ValidateOptions{File: writeFile(t, doc), Chain: cmdutil.ChainFlags{Target: cmdutil.TargetFlags{Prefix: "00"}}})
	if err != nil {
		t.Fatalf("%v\n%s", err, errs)
	}
	if !strings.HasPrefix(out, "valid:") || !strings.Contains(errs, "warning: tutorial rules are weak") ||
		!strings.Contains(errs, "still validates") {
		t.Fatalf("stdout %q\nstderr %q", out, errs)
	}
	// At the default prefix 0000 the same chain's proofs fail.
	if _, _, err := run(t, &ValidateOptions{File: writeFile(t, doc)}); err == nil {
		t.Fatal("prefix 00 proofs passed at 0000")
	}
}

func TestValidateURL(t *testing.T) {
	_, doc := makeChain(t, chain.RulesTutorial, miner.MustPrefix("0"), 2)
	mux := http.NewServeMux()
	mux.HandleFunc("/chain", func(w http.ResponseWriter, r *http.Request) { w.Write(doc) })
	mux.HandleFunc("/big/chain", func(w http.ResponseWriter, r *http.Request) { w.Write(bytes.Repeat([]byte(" "), 4096)) })
	mux.HandleFunc("/broken/chain", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		name    string
		url     string
		max     int64
		wantErr string
	}{
		{"node", srv.URL, 0, ""},
		{"host:port", strings.TrimPrefix(srv.URL, "http://"), 0, ""},
		{"response too large", srv.URL + "/big/chain", 1000, "--max-bytes"},
		{"server error", srv.URL + "/broken/chain", 0, "500"},
		{"bad url", "ftp://x", 0, "--url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := &ValidateOptions{URL: tc.url, MaxBytes: tc.max, Chain: cmdutil.ChainFlags{Target: cmdutil.TargetFlags{Prefix: "0"}}}
			out, _, err := run(t, o)
			if tc.wantErr == "" {
				if err != nil || !strings.HasPrefix(out, "valid: 3 blocks") {
					t.Fatalf("%v %q", err, out)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("got %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestValidateUsage(t *testing.T) {
	tests := []struct {
		name string
		o    ValidateOptions
	}{
		{"two sources", ValidateOptions{File: "a", URL: "b"}},
		{"bad rules", ValidateOptions{File: "a", Chain: cmdutil.ChainFlags{Rules: "x"}}},
		{"bad max bytes", ValidateOptions{File: "a", MaxBytes: -1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := run(t, &tc.o)
			if cmdutil.ExitCode(err) != cmdutil.ExitUsage {
				t.Fatalf("got %v", err)
			}
		})
	}
	if _, _, err := run(t, &ValidateOptions{Data: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "no chain") {
		t.Fatalf("empty data dir: %v", err)
	}
}
