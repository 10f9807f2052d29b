package minecmd

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil"
	"github.com/powlab/powlab/miner/sha256x"
	"github.com/powlab/powlab/miner/stratum"
	"github.com/powlab/powlab/results"
)

// chainOnlyFlags are the flags of chain mining, which a pool's jobs replace.
var chainOnlyFlags = []string{"data", "blocks", "any", "rules", "prefix", "suffix", "bits", "threshold", "reward", "retarget", "block-time"}

// StratumLine is what --stratum --json prints for each event: "event" says
// which, and only that event's fields are set.
type StratumLine struct {
	Event   string `json:"event"`
	Time    string `json:"time"`
	Pool    string `json:"pool,omitempty"`
	Error   string `json:"error,omitempty"`
	Message string `json:"message,omitempty"` // client.show_message
	// disconnected
	RetrySeconds float64 `json:"retry_seconds,omitempty"`
	// subscribed
	Extranonce1     string `json:"extranonce1,omitempty"`
	Extranonce2Size *int   `json:"extranonce2_size,omitempty"`
	// difficulty, job, share
	Difficulty string `json:"difficulty,omitempty"`
	Job        string `json:"job,omitempty"`
	Clean      *bool  `json:"clean,omitempty"`
	// share
	Accepted    *bool   `json:"accepted,omitempty"`
	Extranonce2 string  `json:"extranonce2,omitempty"`
	NTime       string  `json:"ntime,omitempty"`
	Nonce       string  `json:"nonce,omitempty"`
	Hash        string  `json:"hash,omitempty"`
	Block       bool    `json:"block,omitempty"`
	Code        int     `json:"code,omitempty"`
	Reason      string  `json:"reason,omitempty"`
	LatencyMS   float64 `json:"latency_ms,omitempty"`
	// rate, stopped (and the totals after each share)
	HashesPerSec  *float64 `json:"hashes_per_sec,omitempty"`
	AcceptedTotal *uint64  `json:"accepted_total,omitempty"`
	RejectedTotal *uint64  `json:"rejected_total,omitempty"`
	Hashes        uint64   `json:"hashes,omitempty"`
	Seconds       float64  `json:"seconds,omitempty"`
	Kernel        string   `json:"kernel,omitempty"`
	Workers       int      `json:"workers,omitempty"`
}

// stratumConfig checks the flags of stratum mining and turns them into the
// client's configuration (OnEvent is left to the caller).
func stratumConfig(opts *MineOptions) (stratum.Config, error) {
	for _, name := range chainOnlyFlags {
		if opts.isSet(name) {
			return stratum.Config{}, cmdutil.FlagErrorf("--%s does not apply with --stratum: the pool sets the jobs and the difficulty", name)
		}
	}
	if opts.Any {
		return stratum.Config{}, cmdutil.FlagErrorf("--any does not apply with --stratum: every share is submitted")
	}
	addr, err := stratum.ParseURL(opts.Stratum)
	if err != nil {
		return stratum.Config{}, cmdutil.FlagErrorf("--stratum: %v", err)
	}
	if strings.TrimSpace(opts.User) == "" {
		return stratum.Config{}, cmdutil.FlagErrorf("--stratum needs --user (the pool's user or worker name)")
	}
	if opts.MaxRate < 0 || opts.MaxRate > 1e12 {
		return stratum.Config{}, cmdutil.FlagErrorf("--max-rate %g: want 0 (no cap) up to 1e12", opts.MaxRate)
	}
	k, workers, err := cmdutil.ResolveMinerFor(sha256x.SHA256d, opts.Kernel, opts.Workers)
	if err != nil {
		return stratum.Config{}, err
	}
	version := "dev"
	if f := strings.Fields(results.PowlabVersion()); len(f) > 0 {
		version = f[0]
	}
	password := opts.Password
	if opts.MaxRate > 0 {
		// Declare the cap, so a lab pool can draw the true rate beside its
		// estimate; pools ignore password options they do not know.
		password = stratum.WithPasswordOption(password, stratum.PasswordRate, strconv.FormatFloat(opts.MaxRate, 'g', -1, 64))
	}
	return stratum.Config{
		Addr: addr, User: opts.User, Password: password, Agent: "powlab/" + version,
		Workers: workers, Kernel: k, RateInterval: opts.rateInterval, MaxRate: opts.MaxRate,
	}, nil
}

func runStratum(ctx context.Context, opts *MineOptions) error {
	cfg, err := stratumConfig(opts)
	if err != nil {
		return err
	}
	p := &stratumPrinter{out: opts.IO.Out, errOut: opts.IO.ErrOut, json: opts.JSON, enc: json.NewEncoder(opts.IO.Out)}
	p.enc.SetEscapeHTML(false)
	cfg.OnEvent = p.event
	fmt.Fprintf(opts.IO.ErrOut, "stratum pool %s as %s: mining sha256d with %s × %d workers\n", cfg.Addr, cfg.User, cfg.Kernel.Name, cfg.Workers)
	tot, err := stratum.Run(ctx, cfg)
	if ctx.Err() != nil {
		p.stopped(tot, cfg)
		return err
	}
	if errors.Is(err, stratum.ErrUnauthorized) {
		return fmt.Errorf("%w (check --user and --password)", err)
	}
	return err
}

// stratumPrinter renders the client's events: shares and rates on
// stdout, connection news on stderr; with --json every event on stdout.
type stratumPrinter struct {
	out, errOut io.Writer
	json        bool
	enc         *json.Encoder
	err         error // the first write error; later lines are dropped
}

func ptr[T any](v T) *T { return &v }

func (p *stratumPrinter) emit(l StratumLine) {
	if p.err == nil {
		p.err = p.enc.Encode(l)
	}
}

func (p *stratumPrinter) event(e stratum.Event) {
	l := StratumLine{Event: e.Kind.String(), Time: e.Time.UTC().Format(time.RFC3339Nano), Pool: e.Addr}
	if e.Err != nil {
		l.Error = e.Err.Error()
	}
	switch e.Kind {
	case stratum.Connected:
		p.note("connected to %s\n", e.Addr)
	case stratum.Disconnected:
		l.RetrySeconds = e.Retry.Seconds()
		p.note("disconnected: %v; redialling in %s\n", e.Err, e.Retry)
	case stratum.Subscribed:
		l.Extranonce1, l.Extranonce2Size = hex.EncodeToString(e.Extranonce1), ptr(e.Extranonce2Size)
		p.note("subscribed: extranonce1 %s, extranonce2 %d bytes\n", l.Extranonce1, e.Extranonce2Size)
	case stratum.Authorized:
		p.note("authorized\n")
	case stratum.DifficultySet:
		l.Difficulty = e.Difficulty.String()
		p.note("difficulty %s (from the next job)\n", l.Difficulty)
	case stratum.JobReceived:
		l.Job, l.Clean, l.Difficulty = e.Job.ID, ptr(e.Job.Clean), e.Difficulty.String()
		if !p.json {
			clean := ""
			if e.Job.Clean {
				clean = ", clean"
			}
			fmt.Fprintf(p.errOut, "job %s (difficulty %s%s)\n", e.Job.ID, l.Difficulty, clean)
		}
	case stratum.ShareAnswered:
		s := e.Share
		l.Job, l.Accepted, l.Extranonce2, l.NTime, l.Nonce = s.JobID, ptr(s.Accepted), s.Extranonce2, s.NTime, s.Nonce
		l.Hash, l.Block, l.Difficulty = hex.EncodeToString(s.Hash[:]), s.Block, s.Difficulty.String()
		l.Code, l.Reason, l.LatencyMS = s.Code, s.Reason, float64(s.Latency.Microseconds())/1000
		l.AcceptedTotal, l.RejectedTotal = ptr(e.Totals.Accepted), ptr(e.Totals.Rejected)
		if !p.json {
			verdict := "accepted"
			if !s.Accepted {
				verdict = "rejected"
			}
			line := fmt.Sprintf("share %s  job %s  extranonce2 %s  nonce %s  hash %s  difficulty %s  %s",
				verdict, s.JobID, s.Extranonce2, s.Nonce, l.Hash, l.Difficulty, cmdutil.HumanSeconds(s.Latency.Seconds()))
			if !s.Accepted {
				line += fmt.Sprintf(": %d %s", s.Code, s.Reason)
			}
			if s.Block {
				line += "  (meets the network target: a block)"
			}
			p.line(line)
		}
	case stratum.RateReport:
		l.HashesPerSec = ptr(e.HashesPerSec)
		l.AcceptedTotal, l.RejectedTotal = ptr(e.Totals.Accepted), ptr(e.Totals.Rejected)
		l.Hashes, l.Seconds = e.Totals.Hashes, e.Totals.Elapsed.Seconds()
		if !p.json {
			p.line(fmt.Sprintf("rate %s  accepted %d  rejected %d  hashes %s",
				cmdutil.HumanRate(e.HashesPerSec), e.Totals.Accepted, e.Totals.Rejected, cmdutil.HumanCount(float64(e.Totals.Hashes))))
		}
	case stratum.LineIgnored:
		p.note("pool line ignored: %v\n", e.Err)
	case stratum.Redirected:
		l.RetrySeconds = e.Retry.Seconds()
		p.note("the pool asked to reconnect: dialling %s in %s\n", e.Addr, e.Retry)
	case stratum.PoolMessage:
		l.Message = e.Message
		p.note("pool says: %s\n", e.Message)
	}
	if p.json {
		p.emit(l)
	}
}

// note prints connection news on stderr, unless --json prints every event.
func (p *stratumPrinter) note(format string, a ...any) {
	if !p.json {
		fmt.Fprintf(p.errOut, format, a...)
	}
}

func (p *stratumPrinter) line(s string) {
	if p.err == nil {
		_, p.err = fmt.Fprintln(p.out, s)
	}
}

// stopped prints the run's totals.
func (p *stratumPrinter) stopped(t stratum.Totals, cfg stratum.Config) {
	if p.json {
		p.emit(StratumLine{
			Event: "stopped", Time: time.Now().UTC().Format(time.RFC3339Nano), Pool: cfg.Addr,
			AcceptedTotal: ptr(t.Accepted), RejectedTotal: ptr(t.Rejected), HashesPerSec: ptr(t.HashesPerSec()),
			Hashes: t.Hashes, Seconds: t.Elapsed.Seconds(), Kernel: cfg.Kernel.Name, Workers: cfg.Workers,
		})
		return
	}
	fmt.Fprintf(p.errOut, "stopped: %d accepted, %d rejected, %s over %s (%s hashes)\n",
		t.Accepted, t.Rejected, cmdutil.HumanRate(t.HashesPerSec()), cmdutil.HumanSeconds(t.Elapsed.Seconds()), cmdutil.HumanCount(float64(t.Hashes)))
}
