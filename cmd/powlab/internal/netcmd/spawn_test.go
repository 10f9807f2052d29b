package netcmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/cmd/powlab/internal/root"
)

// envAsPowlab makes this test binary run as powlab, so `powlab net --spawn`
// can re-execute it as `powlab node` children.
const envAsPowlab = "POWLAB_TEST_AS_POWLAB"

func TestMain(m *testing.M) {
	if os.Getenv(envAsPowlab) == "1" {
		os.Exit(root.Main())
	}
	// Every node, proxy and child watcher must stop with the run.
	goleak.VerifyTestMain(m)
}

// Three spawned nodes, node 3 cut off for a while: they converge, and every
// child is gone afterwards.
func TestSpawnedNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three processes")
	}
	t.Setenv(envAsPowlab, "1")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	code := root.Run(ctx, cmdutil.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errb}, []string{
		"net", "--spawn", "--miners", "30k,10k,10k", "--bits", "12", "--duration", "4s",
		"--partition", "3@500ms..2s", "--latency", "2ms", "--json", "--no-save",
	})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var rec struct {
		Converged bool
		Stopped   string
		Nodes     []struct {
			URL       string
			BlocksWon int `json:"blocks_won"`
		}
		Config struct{ Spawn bool }
	}
	if err := json.Unmarshal(out.Bytes(), &rec); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if !rec.Converged || !rec.Config.Spawn || rec.Stopped != "duration" || len(rec.Nodes) != 3 {
		t.Fatalf("record: %s", out.String())
	}
	c := http.Client{Timeout: time.Second}
	for i, n := range rec.Nodes {
		if resp, err := c.Get(n.URL + "/status"); err == nil {
			resp.Body.Close()
			t.Errorf("node %d still answers at %s", i+1, n.URL)
		}
	}
}
