package node

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/powlab/powlab/chain"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// normaliser replaces what changes from run to run (timestamps, block
// hashes, addresses, ports) by stable names, so the wire format can be
// compared byte for byte. Hashes are numbered in order of appearance, so the
// links between blocks stay visible.
type normaliser struct {
	hashes map[string]string
	names  []string // literal, placeholder, ...: longest literal first
}

var (
	reTimestamp = regexp.MustCompile(`"timestamp": ?-?[0-9][0-9.e+-]*`)
	reHash      = regexp.MustCompile(`[0-9a-f]{64}`)
	reAddress   = regexp.MustCompile(`\b[0-9a-f]{32}\b`)
	reRate      = regexp.MustCompile(`"attempts_per_sec": ?[0-9.e+-]+`)
)

func (z *normaliser) apply(s string) string {
	for i := 0; i < len(z.names); i += 2 {
		s = strings.ReplaceAll(s, z.names[i], z.names[i+1])
	}
	s = reTimestamp.ReplaceAllStringFunc(s, func(m string) string {
		if strings.Contains(m, ": ") {
			return `"timestamp": TIMESTAMP`
		}
		return `"timestamp":TIMESTAMP`
	})
	s = reRate.ReplaceAllString(s, `"attempts_per_sec":RATE`)
	s = reHash.ReplaceAllStringFunc(s, func(h string) string {
		if _, ok := z.hashes[h]; !ok {
			z.hashes[h] = fmt.Sprintf("HASH%d", len(z.hashes)+1)
		}
		return z.hashes[h]
	})
	return reAddress.ReplaceAllString(s, "ADDRESS")
}

// The tutorial's routes, request and answer, against golden files.
func TestGoldenWireFormat(t *testing.T) {
	n := startNode(t, Config{Chain: tutorialOpts("00")})
	peer := startNode(t, Config{Chain: tutorialOpts("00")})
	for range 3 {
		if _, err := peer.MineOne(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// Addresses are replaced longest first, so that one port that is a
	// prefix of another cannot leave a stray digit.
	pairs := [][2]string{
		{n.Addr(), "http://NODE"},
		{peer.Addr(), "http://PEER"},
		{strings.TrimPrefix(peer.Addr(), "http://"), "PEER"},
	}
	sort.Slice(pairs, func(i, j int) bool { return len(pairs[i][0]) > len(pairs[j][0]) })
	z := &normaliser{hashes: map[string]string{}}
	for _, p := range pairs {
		z.names = append(z.names, p[0], p[1])
	}
	steps := []struct {
		name, method, path, body string
	}{
		{"index", "GET", "/", ""},
		{"chain_genesis", "GET", "/chain", ""},
		{"new_transcations", "POST", "/new_transcations", `{"sender": "8527147fe1f5426f9dd545de4b27ee00", "recipient": "a77f5cdfa2934df3954a5c7c7da5df1f", "amount": 5}`},
		{"transactions_new", "POST", "/transactions/new", `{"sender": "alice", "recipient": "bob", "amount": 0.25}`},
		{"new_transcations_missing", "POST", "/new_transcations", `{"sender": "alice", "amount": 5}`},
		{"mine", "GET", "/mine", ""},
		{"chain", "GET", "/chain", ""},
		{"node_refresh_kept", "GET", "/node_refresh", ""},
		{"new_node", "POST", "/new_node", `{"nodes": ["` + strings.TrimPrefix(peer.Addr(), "http://") + `"]}`},
		{"nodes_register", "POST", "/nodes/register", `{"nodes": ["` + peer.Addr() + `"]}`},
		{"node_refresh_replaced", "GET", "/node_refresh", ""},
		{"nodes_resolve", "GET", "/nodes/resolve", ""},
		{"blocks_extended", "POST", "/blocks", "ANNOUNCE"},
		{"status", "GET", "/status", ""},
	}
	// A block the peer mines after n adopted its chain, announced by hand.
	announce := func() string {
		b, err := peer.MineOne(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return `{"block": ` + string(b.CanonicalJSON()) + `, "from": "` + peer.Addr() + `"}`
	}
	for _, st := range steps {
		if st.body == "ANNOUNCE" {
			st.body = announce()
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s\n", st.method, st.path)
		if st.body != "" {
			fmt.Fprintf(&b, "%s\n", z.apply(st.body))
		}
		req, _ := http.NewRequest(st.method, n.Addr()+st.path, strings.NewReader(st.body))
		if st.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := testClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		fmt.Fprintf(&b, "\n%d %s\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), z.apply(body))
		got := b.String()
		path := filepath.Join("testdata", "golden", st.name+".golden")
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run Golden -update)", err)
		}
		if got != string(want) {
			t.Errorf("%s: wire format changed\n--- got\n%s\n--- want\n%s", st.name, got, want)
		}
	}
	// The answers carry the tutorial's hashes: /chain's blocks link by
	// sha256(json.dumps(block, sort_keys=True)).
	blocks, err := chain.DecodeChainJSON(n.chainDocument())
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(blocks); i++ {
		if blocks[i].PrevHash != n.Rules().Hash(blocks[i-1]) {
			t.Fatalf("block %d does not link to its parent", i+1)
		}
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
