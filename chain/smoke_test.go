package chain

import (
	"context"
	"testing"
)

func TestTutorialProofs(t *testing.T) {
	ctx := context.Background()
	c, err := Open(ctx, t.TempDir(), Options{Rules: RulesTutorial})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	want := []uint64{35293, 35089, 119678}
	for i, w := range want {
		m, err := c.Mine(ctx, MineOptions{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if m.Block.Proof != w || m.Result != Extended {
			t.Fatalf("block %d: proof %d (%v), want %d", i+2, m.Block.Proof, m.Result, w)
		}
	}
	if _, err := c.Validate(ctx, ValidateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", c.ChainJSON())
}

func TestPowlabMine(t *testing.T) {
	ctx := context.Background()
	c, err := Open(ctx, t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for range 3 {
		if _, err := c.Mine(ctx, MineOptions{Workers: 2}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Validate(ctx, ValidateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", c.ChainJSON())
}
