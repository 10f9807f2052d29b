package node

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzHandlers posts arbitrary bodies to every POST route: the node never
// panics, never answers 5xx, and its chain stays valid.
func FuzzHandlers(f *testing.F) {
	for _, seed := range []string{
		`{"sender": "a", "recipient": "b", "amount": 5}`,
		`{"sender": "a", "recipient": "b", "amount": 1e308}`,
		`{"sender": "a", "recipient": "b", "amount": -0.0}`,
		`{"sender": "\ud800", "recipient": "b", "amount": 1}`,
		`{"nodes": ["127.0.0.1:1", "http://[::1]:2"]}`,
		`{"nodes": [null]}`,
		`{"block": {"index": 2, "timestamp": 1.5, "transactions": [], "proof": 1, "prev_hash": "00"}}`,
		`{"index": 1, "timestamp": 1.5, "transactions": [], "proof": 100, "prev_hash": 1}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[`,
		"\xff\xfe",
		``,
	} {
		f.Add(seed)
	}
	n, err := New(context.Background(), Config{Chain: tutorialOpts("0"), MaxPeers: 1 << 20})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { n.Close() })
	h := n.Handler()
	f.Fuzz(func(t *testing.T, body string) {
		for _, path := range []string{"/new_transcations", "/new_node", "/blocks"} {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
			if w.Code >= 500 {
				t.Fatalf("POST %s %q: %d %s", path, body, w.Code, w.Body)
			}
		}
		if _, err := n.Chain().Validate(context.Background(), chainValidateOpts); err != nil {
			t.Fatalf("chain invalid after %q: %v", body, err)
		}
	})
}
