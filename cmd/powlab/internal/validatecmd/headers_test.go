package validatecmd

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
)

const mainnetGenesis = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"

// execute runs `powlab validate ARGV` with stdin, as the CLI would.
func execute(t *testing.T, stdin string, argv ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := NewCmdValidate(cmdutil.IO{In: strings.NewReader(stdin), Out: &out, ErrOut: &errb}, nil)
	cmd.SetArgs(argv)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	err := cmd.Execute()
	return out.String(), err
}

func TestHeadersMainnet(t *testing.T) {
	out, err := execute(t, "", "--headers", "testdata/btc_headers_1_11.txt", "--prev", mainnetGenesis)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"valid: 11 headers", "heights 1..11", "tip 0000000097be56d606cdd9c54b04d4747e957d3608abe69198c661f2add73073", "bitcoin mainnet parameters", "chain work 47245361163"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, err = execute(t, "", "--headers", "testdata/btc_headers_1_11.txt", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var v HeadersVerdict
	if err := json.Unmarshal([]byte(out), &v); err != nil || !v.Valid || v.Headers != 11 || v.FirstHeight != 1 || v.Work != "47245361163" {
		t.Fatalf("%+v %v", v, err)
	}
}

// TestHeadersFailures: a flipped bit, a broken link, a wrong --prev and
// too-easy bits each fail with exit 1 naming the line and height.
func TestHeadersFailures(t *testing.T) {
	raw, err := os.ReadFile("testdata/btc_headers_1_11.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(raw)), "\n") // 2 comment lines, then heights 1..11
	flip := func(i int, pos int) string {
		l := append([]string(nil), lines...)
		b := []byte(l[i])
		if b[pos] == '0' {
			b[pos] = '1'
		} else {
			b[pos] = '0'
		}
		l[i] = string(b)
		return strings.Join(l, "\n")
	}
	swapped := append([]string(nil), lines...)
	swapped[6], swapped[7] = swapped[7], swapped[6]
	easy := append([]string(nil), lines...)
	easy[2] = easy[2][:144] + "ffff001e" + easy[2][152:] // bits 0x1e00ffff: over the limit
	tests := []struct {
		name, stdin string
		argv        []string
		want        string
	}{
		{"flipped bit in height 4's merkle root", flip(5, 100), nil, "line 6, height 4: proof does not meet the target"},
		{"flipped bit in height 11's nonce", flip(12, 159), nil, "line 13, height 11: proof does not meet the target"},
		{"broken link", strings.Join(swapped, "\n"), nil, "line 7, height 5: wrong prev hash"},
		{"wrong --prev", string(raw), []string{"--prev", strings.Repeat("0", 64)}, "line 3, height 1: wrong prev hash"},
		{"too-easy bits", strings.Join(easy, "\n"), nil, "line 3, height 1: wrong difficulty: bits 1e00ffff"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := execute(t, tc.stdin, append([]string{"--headers", "-"}, tc.argv...)...)
			if err == nil || cmdutil.ExitCode(err) != cmdutil.ExitError || !strings.Contains(out, tc.want) {
				t.Fatalf("err %v (exit %d), output:\n%s\nwant %q", err, cmdutil.ExitCode(err), out, tc.want)
			}
		})
	}
}

func TestHeadersUsage(t *testing.T) {
	tests := []struct {
		name string
		argv []string
		want string
	}{
		{"with --file", []string{"--headers", "x", "--file", "y"}, "without --file"},
		{"bad --prev", []string{"--headers", "testdata/btc_headers_1_11.txt", "--prev", "xyz"}, "--prev"},
		{"suffix target", []string{"--headers", "testdata/btc_headers_1_11.txt", "--suffix", "00"}, "--bits N or --threshold"},
		{"tutorial rules", []string{"--headers", "testdata/btc_headers_1_11.txt", "--rules", "tutorial"}, "does not apply"},
		{"zero retarget", []string{"--headers", "testdata/btc_headers_1_11.txt", "--retarget", "0"}, "interval"},
		{"zero window", []string{"--headers", "testdata/btc_headers_1_11.txt", "--daa-window", "0"}, "interval"},
		{"another algorithm", []string{"--headers", "testdata/btc_headers_1_11.txt", "--daa", "asert"}, "--daa asert does not apply"},
		{"a half-life", []string{"--headers", "testdata/btc_headers_1_11.txt", "--half-life", "1h"}, "--half-life"},
		{"window and retarget", []string{"--headers", "testdata/btc_headers_1_11.txt", "--retarget", "5", "--daa-window", "6"}, "same parameter"},
		{"--prev without --headers", []string{"--prev", mainnetGenesis}, "go with --headers"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := execute(t, "", tc.argv...)
			if err == nil || cmdutil.ExitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v (exit %d), want a usage error about %q", err, cmdutil.ExitCode(err), tc.want)
			}
		})
	}
	// Unreadable or malformed input is an error (exit 1) naming the line.
	_, err := execute(t, "# c\n0100\n", "--headers", "-")
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("short line: %v", err)
	}
	if _, err := execute(t, "", "--headers", "/no/such/file"); err == nil {
		t.Fatal("missing file accepted")
	}
}

// TestHeadersLabParams: the mainnet file fails under a lab chain's limit
// (its difficulty-1 bits are easier than 40 zero bits).
func TestHeadersLabParams(t *testing.T) {
	out, err := execute(t, "", "--headers", "testdata/btc_headers_1_11.txt", "--bits", "40", "--retarget", "5", "--block-time", "1s")
	if err == nil || !strings.Contains(out, "lab chain parameters") || !strings.Contains(out, "easier than the limit") {
		t.Fatalf("err %v\n%s", err, out)
	}
}
