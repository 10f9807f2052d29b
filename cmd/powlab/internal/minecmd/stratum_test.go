package minecmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil/cmdtest"
)

func TestStratumFlagsToOptions(t *testing.T) {
	argv := []string{"--stratum", "stratum+tcp://pool.example.com:3333", "--user", "alice.rig1", "--password", "p",
		"-w", "2", "--kernel", "generic", "--json"}
	o, err := cmdtest.Options(NewCmdMine, argv)
	if err != nil {
		t.Fatal(err)
	}
	if o.Stratum != "stratum+tcp://pool.example.com:3333" || o.User != "alice.rig1" || o.Password != "p" ||
		o.Workers != 2 || o.Kernel != "generic" || !o.JSON {
		t.Fatalf("options %+v", *o)
	}
	cfg, err := stratumConfig(o)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "pool.example.com:3333" || cfg.User != "alice.rig1" || cfg.Password != "p" || cfg.Workers != 2 ||
		cfg.Kernel.Name != "generic" || !strings.HasPrefix(cfg.Agent, "powlab/") {
		t.Fatalf("config %+v", cfg)
	}
	o, err = cmdtest.Options(NewCmdMine, []string{"--stratum", "stratum+tcp://127.0.0.1:3333", "--user", "u"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Password != "x" || o.Kernel != "auto" {
		t.Fatalf("defaults %+v", *o)
	}
	o.MaxRate = 250000
	if cfg, err = stratumConfig(o); err != nil || cfg.Password != "x,rate=250000" || cfg.MaxRate != 250000 {
		t.Fatalf("a capped miner declares its rate: %+v %v", cfg, err)
	}
}

// execute runs `powlab mine argv` through cobra, as the root does.
func execute(ctx context.Context, argv []string) (string, string, error) {
	var out, errb syncBuffer
	cmd := NewCmdMine(cmdutil.IO{In: strings.NewReader(""), Out: &out, ErrOut: &errb}, nil)
	cmd.SetArgs(argv)
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(ctx)
	return out.String(), errb.String(), err
}

func TestStratumUsageErrors(t *testing.T) {
	const url = "stratum+tcp://127.0.0.1:3333"
	tests := []struct {
		name string
		argv []string
		want string
	}{
		{"no scheme", []string{"--stratum", "127.0.0.1:3333", "--user", "u"}, "stratum+tcp://"},
		{"other scheme", []string{"--stratum", "http://127.0.0.1:3333", "--user", "u"}, "stratum+tcp://"},
		{"no port", []string{"--stratum", "stratum+tcp://127.0.0.1", "--user", "u"}, "--stratum"},
		{"empty port", []string{"--stratum", "stratum+tcp://pool:", "--user", "u"}, "--stratum"},
		{"no user", []string{"--stratum", url}, "--user"},
		{"blocks", []string{"--stratum", url, "--user", "u", "--blocks", "3"}, "--blocks"},
		{"data", []string{"--stratum", url, "--user", "u", "--data", "/tmp/x"}, "--data"},
		{"rules", []string{"--stratum", url, "--user", "u", "--rules", "bitcoin"}, "--rules"},
		{"target", []string{"--stratum", url, "--user", "u", "--bits", "20"}, "--bits"},
		{"any", []string{"--stratum", url, "--user", "u", "--any"}, "--any"},
		{"bad kernel", []string{"--stratum", url, "--user", "u", "--kernel", "warp9"}, "--kernel"},
		{"bad workers", []string{"--stratum", url, "--user", "u", "-w", "-1"}, "--workers"},
		{"user without stratum", []string{"--user", "u"}, "--stratum"},
		{"password without stratum", []string{"--password", "p"}, "--stratum"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := execute(context.Background(), tc.argv)
			if err == nil || !strings.Contains(err.Error(), tc.want) || cmdutil.ExitCode(err) != cmdutil.ExitUsage {
				t.Fatalf("got %v (exit %d), want a usage error about %s", err, cmdutil.ExitCode(err), tc.want)
			}
		})
	}
}

// syncBuffer is a bytes.Buffer safe for the client's goroutine and the
// test's; lines() signals each write.
type syncBuffer struct {
	mu    sync.Mutex
	b     bytes.Buffer
	wrote chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wrote != nil {
		select {
		case s.wrote <- struct{}{}:
		default:
		}
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until the buffer holds want.
func (s *syncBuffer) waitFor(t *testing.T, want string) {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for !strings.Contains(s.String(), want) {
		select {
		case <-s.wrote:
		case <-timeout:
			t.Fatalf("no %q in the output:\n%s", want, s.String())
		}
	}
}

// onePool is a loopback pool that runs the handshake, sends one easy job,
// accepts every share and rejects the first.
func onePool(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { ln.Close(); <-done })
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		r := bufio.NewReader(c)
		write := func(s string) bool {
			_ = c.SetWriteDeadline(time.Now().Add(10 * time.Second))
			_, err := c.Write([]byte(s + "\n"))
			return err == nil
		}
		for n := 0; n < 10000; n++ {
			_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			var req struct {
				ID     uint64 `json:"id"`
				Method string `json:"method"`
			}
			if json.Unmarshal([]byte(line), &req) != nil {
				return
			}
			var ok bool
			switch req.Method {
			case "mining.subscribe":
				ok = write(`{"id":1,"result":[[],"01020304",4],"error":null}`)
			case "mining.authorize":
				ok = write(`{"id":2,"result":true,"error":null}`) &&
					write(`{"id":null,"method":"mining.set_difficulty","params":[0.0000152587890625]}`) &&
					write(`{"id":null,"method":"mining.notify","params":["j1","4d16b6f85af6e2198f44ae2a6de67f78487ae5611b77c6c0440b921e00000000","0100","ff00",[],"20000000","1a0ffff0","504e86ed",true]}`)
			case "mining.extranonce.subscribe": // refused, as by many pools: no harm done
				ok = write(fmt.Sprintf(`{"id":%d,"result":null,"error":[20,"Not supported.",null]}`, req.ID))
			case "mining.submit":
				if req.ID == 4 { // the first submission (ids 1-3 are the handshake)
					ok = write(`{"id":4,"result":null,"error":[23,"Low difficulty share",null]}`)
				} else {
					ok = write(fmt.Sprintf(`{"id":%d,"result":true,"error":null}`, req.ID))
				}
			}
			if !ok {
				return
			}
		}
	}()
	return "stratum+tcp://" + ln.Addr().String()
}

func TestStratumMineOutput(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		name := "text"
		if asJSON {
			name = "json"
		}
		t.Run(name, func(t *testing.T) {
			url := onePool(t)
			o := &MineOptions{Stratum: url, User: "alice", Password: "x", Workers: 1, Kernel: "auto", JSON: asJSON,
				rateInterval: 50 * time.Millisecond}
			out := &syncBuffer{wrote: make(chan struct{}, 1)}
			errb := &syncBuffer{}
			o.IO = cmdutil.IO{In: strings.NewReader(""), Out: out, ErrOut: errb}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			res := make(chan error, 1)
			go func() { res <- runStratum(ctx, o) }()
			if asJSON {
				out.waitFor(t, `"reason":"Low difficulty share"`)
				out.waitFor(t, `"accepted":true`)
				out.waitFor(t, `"event":"rate"`)
			} else {
				out.waitFor(t, "share rejected  job j1")
				out.waitFor(t, ": 23 Low difficulty share")
				out.waitFor(t, "share accepted  job j1")
				out.waitFor(t, "rate ")
			}
			cancel()
			var err error
			select {
			case err = <-res:
			case <-time.After(10 * time.Second):
				t.Fatal("runStratum did not return after cancel")
			}
			if cmdutil.ExitCode(err) != cmdutil.ExitCanceled {
				t.Fatalf("exit %d (%v), want 130", cmdutil.ExitCode(err), err)
			}
			if !asJSON {
				if s := errb.String(); !strings.Contains(s, "stopped: ") || !strings.Contains(s, " accepted, 1 rejected") ||
					!strings.Contains(s, "authorized") || !strings.Contains(s, "job j1 (difficulty 0.0000152587890625, clean)") {
					t.Fatalf("stderr:\n%s", s)
				}
				return
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			var last StratumLine
			for _, l := range lines {
				if err := json.Unmarshal([]byte(l), &last); err != nil {
					t.Fatalf("line %q: %v", l, err)
				}
			}
			if last.Event != "stopped" || last.RejectedTotal == nil || *last.RejectedTotal != 1 ||
				last.AcceptedTotal == nil || *last.AcceptedTotal == 0 || last.Hashes == 0 {
				t.Fatalf("last line %+v", last)
			}
		})
	}
}
