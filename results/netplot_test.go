package results

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteNetChart(t *testing.T) {
	rec := &Net{
		Height: 4, Seconds: 5,
		Nodes: []NetNode{
			{ID: 1, Spec: "3M", RateCap: 3e6, HashrateShare: 0.6, MeasuredShare: 0.5, BlocksWon: 3, BlockShare: 0.75},
			{ID: 2, Spec: "2M", RateCap: 2e6, HashrateShare: 0.4, MeasuredShare: 0.5, BlocksWon: 1, BlockShare: 0.25},
		},
		Blocks: []NetBlock{{Height: 1, Miner: 1, At: 1}, {Height: 2, Miner: 2, At: 2}, {Height: 3, Miner: 1, At: 3}, {Height: 4, Miner: 1, At: 4}},
	}
	path := filepath.Join(t.TempDir(), "sub", "net.png")
	if err := WriteNetChart(rec, path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 1000 || string(b[1:4]) != "PNG" {
		t.Fatalf("not a PNG: %d bytes", len(b))
	}
	if err := WriteNetChart(&Net{}, path); err == nil {
		t.Fatal("an empty record drew a chart")
	}
}
