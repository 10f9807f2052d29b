package poolcmd

import (
	"bytes"
	"context"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil/cmdtest"
	"github.com/powlab/powlab/miner/stratum"
	"github.com/powlab/powlab/results"
)

func TestFlagsToOptions(t *testing.T) {
	got, err := cmdtest.Options(NewCmdPool, []string{"--stratum", "127.0.0.1:4444", "--http", "", "--data", "/x", "--bits", "20",
		"--share-diff", "0.5", "--vardiff-rate", "30", "--address", "me", "--job-interval", "5s"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Stratum != "127.0.0.1:4444" || got.HTTP != "" || got.Data != "/x" || got.Chain.Target.Bits != "20" || got.ShareDiff != 0.5 ||
		got.VardiffRate != 30 || got.Address != "me" || got.JobInterval != 5*time.Second {
		t.Fatalf("got %+v", *got)
	}
	def, err := cmdtest.Options(NewCmdPool, nil)
	if err != nil {
		t.Fatal(err)
	}
	if def.Stratum != DefaultStratum || def.HTTP != DefaultHTTP || def.ShareDiff != 1 || def.VardiffRate != 20 || def.JobInterval != 30*time.Second {
		t.Fatalf("defaults %+v", *def)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want string
	}{
		{[]string{"--stratum", "nohostport"}, "--stratum"},
		{[]string{"--http", "x"}, "--http"},
		{[]string{"--share-diff", "0"}, "--share-diff"},
		{[]string{"--vardiff-rate", "-1"}, "--vardiff-rate"},
		{[]string{"--job-interval", "10ms"}, "--job-interval"},
		{[]string{"--rules", "powlab"}, "bitcoin-rules"},
		{[]string{"--log-level", "loud"}, "--log-level"},
		{[]string{"--suffix", "00"}, "--bits N or --threshold"},
	} {
		var out, errb bytes.Buffer
		cmd := NewCmdPool(cmdutil.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errb}, nil)
		cmd.SetArgs(append(tc.argv, "--data", t.TempDir()))
		cmd.SetOut(&out)
		cmd.SetErr(&errb)
		err := cmd.Execute()
		if cmdutil.ExitCode(err) != cmdutil.ExitUsage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err %v (exit %d), want a usage error about %q", tc.argv, err, cmdutil.ExitCode(err), tc.want)
		}
	}
}

// TestRunPool starts the verb on loopback, mines one block through it with
// powlab's Stratum client, and stops it as a signal would (exit 0).
func TestRunPool(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // free the port for the pool (loopback: nobody else takes it in between in practice)
	var out bytes.Buffer
	errb := &lockedBuffer{}
	opts := &PoolOptions{IO: cmdutil.IO{Out: &out, ErrOut: errb}, Stratum: addr, HTTP: "", Data: t.TempDir(),
		ShareDiff: 1.0 / 4096, VardiffRate: 600, JobInterval: time.Minute, MaxConns: 10, LogLevel: "info",
		Record: filepath.Join(t.TempDir(), "pool.json"), RecordEvery: 100 * time.Millisecond}
	opts.Chain.Target.Bits = "12"
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runPool(ctx, opts) }()
	cctx, ccancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer ccancel()
	found := make(chan struct{})
	var once bool
	clientDone := make(chan struct{})
	go func() {
		defer close(clientDone)
		stratum.Run(cctx, stratum.Config{Addr: addr, User: "w1", Workers: 1, MinBackoff: 50 * time.Millisecond, OnEvent: func(ev stratum.Event) {
			if !once && strings.Contains(errb.String(), "block found") {
				once = true
				close(found)
			}
		}})
	}()
	select {
	case <-found:
	case <-cctx.Done():
		t.Fatalf("no block in 30 s; pool said: %s / %s", out.String(), errb.String())
	}
	ccancel()
	<-clientDone
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("runPool: %v", err)
	}
	if !strings.Contains(out.String(), "pool on stratum+tcp://") || !strings.Contains(out.String(), "stopped at height") {
		t.Fatalf("output: %s", out.String())
	}
	// The record: shares with a block among them, and snapshots of w1.
	var rec results.Pool
	if err := results.Read(opts.Record, results.KindPool, &rec); err != nil {
		t.Fatal(err)
	}
	blocks := 0
	for _, sh := range rec.Shares {
		if sh.Worker != "w1" || sh.Result == "" {
			t.Fatalf("share %+v", sh)
		}
		if sh.Block {
			blocks++
		}
	}
	last := rec.Snapshots[len(rec.Snapshots)-1]
	if blocks == 0 || len(last.Workers) != 1 || last.Workers[0].Name != "w1" || last.Workers[0].Accepted == 0 {
		t.Fatalf("record: %d shares (%d blocks), last snapshot %+v", len(rec.Shares), blocks, last)
	}
}

// lockedBuffer is a bytes.Buffer safe for the pool's logger and the test
// to use at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
