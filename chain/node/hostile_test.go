package node

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/powlab/powlab/chain"
)

// Peers that lie, flood, stall or babble: the node keeps its chain, keeps
// answering, and reports each peer's outcome.
func TestHostilePeers(t *testing.T) {
	n := startNode(t, Config{PeerTimeout: 500 * time.Millisecond, MaxResponseBytes: 1 << 20})
	for range 3 {
		if _, err := n.MineOne(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	good := n.Blocks()

	// A longer chain whose last block's proof is wrong.
	other := startNode(t, Config{})
	for range 6 {
		if _, err := other.MineOne(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	long := other.Blocks()
	bad := make([]*chain.Block, len(long))
	copy(bad, long)
	last := bad[len(bad)-1].Clone()
	last.Proof++
	bad[len(bad)-1] = last
	invalidDoc := chain.EncodeChainJSON(bad)

	// A valid chain with less work than ours.
	short := startNode(t, Config{})
	if _, err := short.MineOne(context.Background()); err != nil {
		t.Fatal(err)
	}
	shortDoc := chain.EncodeChainJSON(short.Blocks())

	release := make(chan struct{})
	var releaseOnce sync.Once
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) })
	peers := []struct {
		name    string
		outcome string
		h       http.HandlerFunc
	}{
		{"invalid chain", "invalid", func(w http.ResponseWriter, r *http.Request) { w.Write(invalidDoc) }},
		{"huge body", "invalid", func(w http.ResponseWriter, r *http.Request) {
			chunk := []byte(strings.Repeat(" ", 64<<10))
			for range 64 { // 4 MB of whitespace: past the 1 MB cap
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}},
		{"huge announced length", "invalid", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "999999999999")
			w.WriteHeader(200)
		}},
		{"slow", "unreachable", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}},
		{"garbage", "invalid", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"chain": [{"index": NaN`)) }},
		{"wrong types", "invalid", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"chain": [{"index": "1", "timestamp": 1.5, "transactions": [], "proof": 100, "prev_hash": 1}], "length": 1}`))
		}},
		{"absurd numbers", "invalid", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"chain": [{"index": 1, "timestamp": 1e999, "transactions": [], "proof": 100, "prev_hash": 1}], "length": 1}`))
		}},
		{"server error", "invalid", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) }},
		{"less work", "less work", func(w http.ResponseWriter, r *http.Request) { w.Write(shortDoc) }},
	}
	var urls []string
	outcome := map[string]string{}
	for _, p := range peers {
		srv := httptest.NewServer(p.h)
		t.Cleanup(srv.Close)
		urls = append(urls, srv.URL)
		outcome[srv.URL] = p.outcome
	}
	// The cleanup order is LIFO: release the slow handler before servers close.
	t.Cleanup(func() { releaseOnce.Do(func() { close(release) }) })
	if _, err := n.AddPeers(urls...); err != nil {
		t.Fatal(err)
	}
	// One unreachable peer too.
	if _, err := n.AddPeers("127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	outcome["http://127.0.0.1:1"] = "unreachable"

	done := make(chan *ResolveReport, 1)
	go func() {
		rep, err := n.Resolve(context.Background())
		if err != nil {
			t.Error(err)
		}
		done <- rep
	}()
	// While it resolves (the slow peer holds it), the node answers.
	for range 5 {
		if code, _ := call(t, "GET", n.Addr()+"/status", ""); code != 200 {
			t.Fatalf("/status: %d during resolve", code)
		}
		if code, _ := call(t, "GET", n.Addr()+"/chain", ""); code != 200 {
			t.Fatalf("/chain: %d during resolve", code)
		}
	}
	rep := <-done
	if rep == nil {
		t.FailNow()
	}
	if rep.Replaced {
		t.Fatalf("chain replaced: %+v", rep)
	}
	for _, pc := range rep.Peers {
		if want := outcome[pc.Peer]; pc.Outcome != want {
			t.Errorf("peer %s: outcome %q (%s), want %q", pc.Peer, pc.Outcome, pc.Err, want)
		}
	}
	got := n.Blocks()
	if len(got) != len(good) || got[len(got)-1] != good[len(good)-1] {
		t.Fatalf("chain changed: height %d", len(got))
	}
}

// Clients sending hostile requests get a clear 4xx and change nothing.
func TestHostileClients(t *testing.T) {
	n := startNode(t, Config{MaxTxBody: 4096})
	huge := `{"sender": "` + strings.Repeat("a", 10000) + `", "recipient": "b", "amount": 1}`
	tests := []struct {
		name, method, path, body string
		code                     int
		has                      string
	}{
		{"tx not json", "POST", "/new_transcations", `{sender: 1}`, 400, "invalid JSON"},
		{"tx missing key", "POST", "/new_transcations", `{"sender": "a", "recipient": "b"}`, 400, "missing field \"amount\""},
		{"tx wrong type", "POST", "/transactions/new", `{"sender": "a", "recipient": "b", "amount": "5"}`, 400, "amount is a string"},
		{"tx NaN", "POST", "/new_transcations", `{"sender": "a", "recipient": "b", "amount": NaN}`, 400, "invalid JSON"},
		{"tx absurd", "POST", "/new_transcations", `{"sender": "a", "recipient": "b", "amount": 1e999}`, 400, "range"},
		{"tx negative", "POST", "/new_transcations", `{"sender": "a", "recipient": "b", "amount": -3}`, 400, "not positive"},
		{"tx reward sender", "POST", "/new_transcations", `{"sender": "0", "recipient": "b", "amount": 3}`, 400, "reserved"},
		{"tx array", "POST", "/new_transcations", `[1, 2]`, 400, "want an object"},
		{"tx empty", "POST", "/new_transcations", ``, 400, "empty body"},
		{"tx too large", "POST", "/new_transcations", huge, 413, "larger than 4096"},
		{"tx form encoded", "POST", "/new_transcations", `sender=a&recipient=b&amount=1`, 400, "invalid JSON"},
		{"nodes missing", "POST", "/new_node", `{"peers": []}`, 400, "no \"nodes\""},
		{"nodes wrong type", "POST", "/new_node", `{"nodes": "http://x:1"}`, 400, "array of strings"},
		{"nodes bad scheme", "POST", "/nodes/register", `{"nodes": ["ftp://x:1"]}`, 400, "scheme"},
		{"nodes no port", "POST", "/new_node", `{"nodes": ["http://x"]}`, 400, "no port"},
		{"nodes path", "POST", "/new_node", `{"nodes": ["http://x:1/a?b"]}`, 400, "no path"},
		{"nodes user", "POST", "/new_node", `{"nodes": ["http://u:p@x:1"]}`, 400, "user info"},
		{"nodes bad port", "POST", "/new_node", `{"nodes": ["x:99999"]}`, 400, "port"},
		{"block garbage", "POST", "/blocks", `{"block": 7}`, 400, "want an object"},
		{"block invalid", "POST", "/blocks", `{"index": 2, "timestamp": 1.5, "transactions": [], "proof": 1, "prev_hash": "` + strings.Repeat("0", 64) + `"}`, 422, "reward"},
		{"block bad from", "POST", "/blocks", `{"block": {"index": 1, "timestamp": 1.5, "transactions": [], "proof": 100, "prev_hash": 1}, "from": "file:///etc"}`, 400, "from"},
		{"wrong method", "GET", "/new_transcations", ``, 405, ""},
		{"no route", "GET", "/nope", ``, 404, "no route"},
	}
	before := tipOf(n)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, n.Addr()+tc.path, strings.NewReader(tc.body))
			ct := "application/json"
			if tc.name == "tx form encoded" {
				ct = "application/x-www-form-urlencoded"
			}
			req.Header.Set("Content-Type", ct)
			resp, err := testClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var e errorBody
			json.NewDecoder(resp.Body).Decode(&e)
			if resp.StatusCode != tc.code {
				t.Fatalf("status %d, want %d (%s)", resp.StatusCode, tc.code, e.Message)
			}
			if !strings.Contains(e.Message, tc.has) {
				t.Fatalf("message %q lacks %q", e.Message, tc.has)
			}
		})
	}
	if tipOf(n) != before || n.Status().Mempool != 0 || len(n.Peers()) != 0 {
		t.Fatalf("state changed: %+v", n.Status())
	}
}

func TestPeerLimit(t *testing.T) {
	n := startNode(t, Config{MaxPeers: 3})
	var list []string
	for i := range 4 {
		list = append(list, fmt.Sprintf("127.0.0.1:%d", 10001+i))
	}
	code, body := call(t, "POST", n.Addr()+"/new_node", `{"nodes": ["`+strings.Join(list[:2], `", "`)+`"]}`)
	if code != 200 {
		t.Fatalf("%d %s", code, body)
	}
	code, body = call(t, "POST", n.Addr()+"/new_node", `{"nodes": ["`+strings.Join(list[1:], `", "`)+`"]}`)
	if code != 400 || !strings.Contains(string(body), "too many peers") {
		t.Fatalf("%d %s", code, body)
	}
	if got := len(n.Peers()); got != 2 {
		t.Fatalf("%d peers after a refused batch, want 2", got)
	}
}

func TestParsePeer(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{"url", "http://127.0.0.1:5006", "http://127.0.0.1:5006", ""},
		{"trailing slash", "http://127.0.0.1:5006/", "http://127.0.0.1:5006", ""},
		{"netloc", "127.0.0.1:5006", "http://127.0.0.1:5006", ""},
		{"https", "https://Node.Example:443", "https://node.example:443", ""},
		{"ipv6", "http://[::1]:80", "http://[::1]:80", ""},
		{"spaces", "  localhost:1 ", "http://localhost:1", ""},
		{"empty", "", "", "empty"},
		{"no port", "http://127.0.0.1", "", "no port"},
		{"port zero", "127.0.0.1:0", "", "not 1-65535"},
		{"ftp", "ftp://h:1", "", "scheme"},
		{"path", "http://h:1/chain", "", "no path"},
		{"query", "http://h:1?x=1", "", "no path"},
		{"user", "http://a@h:1", "", "user info"},
		{"no host", "http://:80", "", "no host"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParsePeer(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParsePeer(%q) = %q, %v; want an error with %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParsePeer(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

// TestMempoolFullIs503: a full mempool is back-pressure: 503 with a
// Retry-After header and a message that names the cause.
func TestMempoolFullIs503(t *testing.T) {
	n := startNode(t, Config{})
	for i := 0; i < chain.MaxPending; i++ {
		if _, err := n.AddTransaction(chain.Tx{Sender: "a", Recipient: "b", Amount: chain.Int(int64(i + 1))}); err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
	}
	resp, err := http.Post(n.Addr()+"/transactions/new", "application/json", strings.NewReader(`{"sender": "a", "recipient": "b", "amount": 1}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(body), "mempool full") {
		t.Fatalf("status %d, Retry-After %q, body %s", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
}
