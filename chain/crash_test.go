package chain

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/powlab/powlab/miner"
)

// envCrashChild switches the test binary into the crash test's child: it
// mines onto the chain in the named directory for ever, printing
// "mined HEIGHT HASH" after each block is stored. envCrashRules names the
// rules of a new chain (default powlab).
const (
	envCrashChild = "POWLAB_CHAIN_CRASH_CHILD"
	envCrashRules = "POWLAB_CHAIN_CRASH_RULES"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(envCrashChild); dir != "" {
		os.Exit(crashChild(dir))
	}
	os.Exit(m.Run())
}

func crashChild(dir string) int {
	ctx := context.Background()
	bits, _ := miner.ZeroBitsTarget(8)
	c, err := Open(ctx, dir, Options{Rules: os.Getenv(envCrashRules), Target: bits})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 3
	}
	for i := 0; ; i++ {
		c.AddTx(Tx{Sender: "s", Recipient: "r", Amount: Int(int64(i + 1))})
		m, err := c.Mine(ctx, MineOptions{Workers: 1})
		if err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			return 4
		}
		fmt.Printf("mined %d %s\n", m.Block.Index, m.Hash)
	}
}

// TestCrashSafety kills a mining child with SIGKILL and checks that the
// store reopens, validates, and holds every block the child reported, for
// each rule set whose blocks the child can mine fast.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	for _, rules := range []string{RulesPowlab, RulesBitcoin} {
		t.Run(rules, func(t *testing.T) { crashRounds(t, rules) })
	}
}

func crashRounds(t *testing.T, rules string) {
	dir := t.TempDir()
	for round := 0; round < 2; round++ { // the second round mines on the survivor
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envCrashChild+"="+dir, envCrashRules+"="+rules)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		reported := map[string]uint64{}
		sc := bufio.NewScanner(out)
		for sc.Scan() && len(reported) < 25 {
			var h uint64
			var hash string
			if _, err := fmt.Sscanf(sc.Text(), "mined %d %s", &h, &hash); err != nil {
				t.Fatalf("child said %q", sc.Text())
			}
			reported[hash] = h
		}
		// Kill mid-stream: the child is busy mining and writing.
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		cancel()
		if len(reported) < 25 {
			t.Fatalf("round %d: the child reported only %d blocks", round, len(reported))
		}

		c, err := Open(context.Background(), dir, Options{})
		if err != nil {
			t.Fatalf("reopen after SIGKILL: %v", err)
		}
		info, err := c.Validate(context.Background(), ValidateOptions{})
		if err != nil {
			t.Fatalf("chain after SIGKILL: %v", err)
		}
		onMain := map[string]bool{}
		for _, h := range info.Hashes {
			onMain[h.String()] = true
		}
		for hash, h := range reported {
			if !onMain[hash] {
				t.Errorf("round %d: reported block %d %s is missing", round, h, strings.TrimSpace(hash))
			}
		}
		t.Logf("round %d: %d blocks reported, %d on the reopened chain", round, len(reported), c.Height())
		c.Close()
	}
}
