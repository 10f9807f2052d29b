package node

import (
	"bufio"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/powlab/powlab/chain"
)

// startPython runs testdata/tutorial_node.py on an ephemeral port and
// returns its base URL; the process is killed at cleanup.
func startPython(t *testing.T, prefix string) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found: the interop tests need it to run the tutorial's node")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, py, filepath.Join("testdata", "tutorial_node.py"), "--port", "0", "--prefix", prefix)
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if testLogger(t) != nil {
		cmd.Stderr = testWriter{t}
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		for sc.Scan() { // drain
		}
	}()
	select {
	case l, ok := <-lines:
		url, found := strings.CutPrefix(l, "listening ")
		if !ok || !found {
			t.Fatalf("tutorial node said %q", l)
		}
		return url
	case <-time.After(testTimeout):
		t.Fatal("tutorial node did not start")
	}
	return ""
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// pyChain fetches a tutorial node's chain.
func pyChain(t *testing.T, url string) []*chain.Block {
	t.Helper()
	code, body := call(t, "GET", url+"/chain", "")
	if code != 200 {
		t.Fatalf("%s/chain: %d", url, code)
	}
	blocks, err := chain.DecodeChainJSON(body)
	if err != nil {
		t.Fatalf("decode python chain: %v", err)
	}
	return blocks
}

func TestInteropPython(t *testing.T) {
	py := startPython(t, "00")
	g := startNode(t, Config{Chain: tutorialOpts("00")})
	r := g.Rules()

	// 1. The Python node mines; Go adopts its longer chain, and every hash
	// Go computes equals the one Python reported.
	var pyHashes []string
	for range 3 {
		code, body := call(t, "GET", py+"/mine", "")
		if code != 200 {
			t.Fatalf("python /mine: %d %s", code, body)
		}
		var ans struct{ Hash string }
		if err := json.Unmarshal(body, &ans); err != nil {
			t.Fatal(err)
		}
		pyHashes = append(pyHashes, ans.Hash)
	}
	netloc := strings.TrimPrefix(py, "http://") // the tutorial's own peer form
	if code, body := call(t, "POST", g.Addr()+"/new_node", `{"nodes": ["`+netloc+`"]}`); code != 200 {
		t.Fatalf("go /new_node: %d %s", code, body)
	}
	code, body := call(t, "GET", g.Addr()+"/node_refresh", "")
	if code != 200 {
		t.Fatalf("go /node_refresh: %d %s", code, body)
	}
	if m := mustJSON(t, body); m["new chain"] == nil {
		t.Fatalf("go did not replace its chain: %s", body)
	}
	blocks := g.Blocks()
	if len(blocks) != 4 {
		t.Fatalf("go height %d, want 4", len(blocks))
	}
	for i, want := range pyHashes {
		if got := r.Hash(blocks[i+1]).String(); got != want {
			t.Fatalf("block %d: go hash %s, python %s", i+2, got, want)
		}
	}

	// 2. Go mines further; the Python node, registered with Go's URL,
	// adopts Go's chain, and its next block links to Go's tip by a hash
	// Python computed.
	for range 3 {
		if _, err := g.MineOne(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	// Go announced those blocks to the Python node, which has no /blocks:
	// after the first 404 it stops trying.
	waitFor(t, "the first announcement to fail", func() bool { return g.Status().GossipFailed >= 1 })
	code, body = call(t, "POST", py+"/new_node", `{"nodes": ["`+g.Addr()+`"]}`)
	if code != 200 {
		t.Fatalf("python /new_node: %d %s", code, body)
	}
	code, body = call(t, "GET", py+"/node_refresh", "")
	if code != 200 || mustJSON(t, body)["new chain"] == nil {
		t.Fatalf("python did not adopt go's chain: %d %.300s", code, body)
	}
	pb, gb := pyChain(t, py), g.Blocks()
	if len(pb) != 7 {
		t.Fatalf("python height %d, want 7", len(pb))
	}
	for i, b := range pb {
		if string(b.CanonicalJSON()) != string(gb[i].CanonicalJSON()) {
			t.Fatalf("block %d differs:\n python %s\n go     %s", i+1, b.CanonicalJSON(), gb[i].CanonicalJSON())
		}
	}
	code, body = call(t, "GET", py+"/mine", "")
	if code != 200 {
		t.Fatalf("python /mine: %d", code)
	}
	var ans struct {
		PrevHash string `json:"prev_hash"`
		Hash     string `json:"hash"`
	}
	if err := json.Unmarshal(body, &ans); err != nil {
		t.Fatal(err)
	}
	if ans.PrevHash != tipOf(g).String() {
		t.Fatalf("python's prev_hash %s, go's tip %s", ans.PrevHash, tipOf(g))
	}

	// 3. And back: Go adopts the block Python mined on Go's chain.
	rep, err := g.Resolve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Replaced || g.Height() != 8 || tipOf(g).String() != ans.Hash {
		t.Fatalf("go did not take python's block: %+v, tip %s, python's %s", rep, tipOf(g), ans.Hash)
	}
	if st := g.Status(); st.GossipFailed != 1 || st.GossipSent != 0 {
		t.Fatalf("gossip to the python node: %d failed, %d sent; want 1 and 0", st.GossipFailed, st.GossipSent)
	}
}
