package searchcmd

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil/cmdtest"
)

func TestFlagsToOptions(t *testing.T) {
	tests := []struct {
		name string
		argv []string
		want SearchOptions
	}{
		{"defaults", nil, SearchOptions{Step: 1, Kernel: "auto"}},
		{"tutorial", []string{"--last-proof", "100", "--prefix", "0000", "-w", "3"}, SearchOptions{LastProof: "100", Step: 1, Kernel: "auto", Workers: 3}},
		{"experiment", []string{"--step", "11", "--suffix", "000", "--json", "--any"}, SearchOptions{Step: 11, Kernel: "auto", JSON: true, Any: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := cmdtest.Options(NewCmdSearch, tc.argv)
			if err != nil {
				t.Fatal(err)
			}
			if got.LastProof != tc.want.LastProof || got.Step != tc.want.Step || got.Kernel != tc.want.Kernel ||
				got.Workers != tc.want.Workers || got.JSON != tc.want.JSON || got.Any != tc.want.Any {
				t.Fatalf("got %+v, want %+v", *got, tc.want)
			}
		})
	}
}

const genesisNoNonce = "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d00000000"

func runWith(t *testing.T, o *SearchOptions) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	o.IO = cmdutil.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errb}
	if o.Kernel == "" {
		o.Kernel = "auto"
	}
	if o.Step == 0 {
		o.Step = 1
	}
	err := runSearch(context.Background(), o)
	return out.String(), errb.String(), err
}

func TestHeaderFlags(t *testing.T) {
	got, err := cmdtest.Options(NewCmdSearch, []string{"--header", genesisNoNonce, "--start", "5", "--algo", "sha256d", "--json"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Header != genesisNoNonce || got.Start != 5 || got.Algo != "sha256d" || !got.JSON {
		t.Fatalf("got %+v", *got)
	}
}

// TestHeaderGenesis re-mines Bitcoin's genesis block from 2^16 below its
// nonce, whatever the header's nonce field holds.
func TestHeaderGenesis(t *testing.T) {
	for _, nonceField := range []string{"00000000", "ffffffff", "1dac2b7c"} {
		h := genesisNoNonce[:152] + nonceField
		out, errs, err := runWith(t, &SearchOptions{Header: h, Start: 2083236893 - 1<<16, Workers: 2, JSON: true})
		if err != nil {
			t.Fatalf("%v: %s", err, errs)
		}
		var ans Answer
		if err := json.Unmarshal([]byte(out), &ans); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		if ans.Nonce != 2083236893 || ans.Hash != "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f" || ans.Algo != "sha256d" {
			t.Fatalf("got %+v", ans)
		}
		if ans.Header != genesisNoNonce[:152]+"1dac2b7c" || ans.Attempts < 1<<16+1 || ans.Kernel == "" || ans.Workers != 2 || ans.AttemptsPerSec <= 0 {
			t.Fatalf("got %+v", ans)
		}
	}
	out, _, err := runWith(t, &SearchOptions{Header: genesisNoNonce, Start: 2083236893 - 100, Workers: 1, Kernel: "generic"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"nonce      2083236893", "hash       000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f", "kernel     generic (sha256d), 1 workers"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestHeaderUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		o    SearchOptions
		want string
	}{
		{"short", SearchOptions{Header: genesisNoNonce[:158]}, "158 hex characters, a block header has 160"},
		{"long", SearchOptions{Header: genesisNoNonce + "00"}, "162 hex characters"},
		{"empty-ish", SearchOptions{Header: "00"}, "2 hex characters"},
		{"not hex", SearchOptions{Header: "zz" + genesisNoNonce[2:]}, "'z' at position 1 is not a hex digit"},
		{"with message", SearchOptions{Header: genesisNoNonce, Message: "x", messageSet: true}, "without --message"},
		{"start over 32 bits", SearchOptions{Header: genesisNoNonce, Start: 1 << 32}, "--start 4294967296"},
		{"bad algo", SearchOptions{Header: genesisNoNonce, Algo: "scrypt"}, "--algo"},
		{"bad bits field", SearchOptions{Header: genesisNoNonce[:144] + "00000000" + "00000000"}, "bits field"},
		{"sha256 kernel name unknown for sha256d", SearchOptions{Header: genesisNoNonce, Kernel: "warp9"}, "unknown kernel"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			_, _, err := runWith(t, &o)
			if err == nil || !strings.Contains(err.Error(), tc.want) || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
				t.Fatalf("got %v (exit %d), want a usage error about %q", err, cmdutil.ExitCode(err), tc.want)
			}
		})
	}
}

// TestHeaderTargetFlags: a target flag replaces the header's bits and reads
// the hash in display order.
func TestHeaderTargetFlags(t *testing.T) {
	out, errs, err := runWith(t, &SearchOptions{Header: genesisNoNonce, Target: cmdutil.TargetFlags{Bits: "12"}, Workers: 1, JSON: true})
	if err != nil {
		t.Fatalf("%v: %s", err, errs)
	}
	var ans Answer
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ans.Hash, "000") || ans.Target != "bits 12" {
		t.Fatalf("hash %s target %s: want 3 hex zeros in display order", ans.Hash, ans.Target)
	}
}

// TestMessageSHA256d: --algo sha256d on a message puzzle hashes it twice.
func TestMessageSHA256d(t *testing.T) {
	out, _, err := runWith(t, &SearchOptions{Message: "hello", messageSet: true, Algo: "sha256d", Target: cmdutil.TargetFlags{Prefix: "00"}, Workers: 1, JSON: true})
	if err != nil {
		t.Fatal(err)
	}
	var ans Answer
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatal(err)
	}
	d1 := sha256.Sum256([]byte("hello" + strconv.FormatUint(ans.Nonce, 10)))
	d2 := sha256.Sum256(d1[:])
	if ans.Digest != hex.EncodeToString(d2[:]) || ans.Hash != ans.Digest || !strings.HasPrefix(ans.Digest, "00") {
		t.Fatalf("got %+v, want sha256d %x", ans, d2)
	}
}
