package node

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// gossipQueueLen bounds each peer's outgoing queue. Blocks arrive at most a
// few per second in the lab; 64 rides out a slow peer for a while, and when
// it is full the newest announcement is dropped (the peer catches up by
// fetching the chain when a later block does not connect).
const gossipQueueLen = 64

type outMsg struct {
	path string
	body []byte
	at   time.Time // when it was queued
}

// gossiper pushes announcements to peers, one goroutine and one bounded
// queue per peer, so a slow or dead peer never delays the miner, the chain
// or the other peers.
type gossiper struct {
	ctx    context.Context
	client *Client
	log    *slog.Logger
	delay  func(peer string) time.Duration

	mu     sync.Mutex
	queues map[string]chan outMsg
	closed bool
	wg     sync.WaitGroup

	sent, dropped, failed atomic.Uint64
}

func newGossiper(ctx context.Context, c *Client, log *slog.Logger, delay func(string) time.Duration) *gossiper {
	return &gossiper{ctx: ctx, client: c, log: log, delay: delay, queues: map[string]chan outMsg{}}
}

// send queues body for POST path on each peer, never blocking.
func (g *gossiper) send(peers []string, path string, body []byte) {
	now := time.Now()
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return
	}
	for _, p := range peers {
		q, ok := g.queues[p]
		if !ok {
			q = make(chan outMsg, gossipQueueLen)
			g.queues[p] = q
			g.wg.Add(1)
			go g.run(p, q)
		}
		select {
		case q <- outMsg{path: path, body: body, at: now}:
		default:
			g.dropped.Add(1)
			g.log.Warn("gossip queue full, announcement dropped", "peer", p)
		}
	}
}

func (g *gossiper) run(peer string, q chan outMsg) {
	defer g.wg.Done()
	noRoute := false // the peer answered 404/405: a tutorial node without /blocks
	for {
		select {
		case <-g.ctx.Done():
			return
		case m, ok := <-q:
			if !ok {
				return
			}
			if noRoute {
				continue
			}
			if g.delay != nil {
				delay := g.delay(peer)
				if delay < 0 { // a partition: the announcement is lost
					g.dropped.Add(1)
					continue
				}
				if d := time.Until(m.at.Add(delay)); d > 0 {
					t := time.NewTimer(d)
					select {
					case <-g.ctx.Done():
						t.Stop()
						return
					case <-t.C:
					}
				}
			}
			if _, err := g.client.Post(g.ctx, peer, m.path, m.body); err != nil {
				g.failed.Add(1)
				var se *StatusError
				if errors.As(err, &se) && (se.Status == http.StatusNotFound || se.Status == http.StatusMethodNotAllowed) {
					// Resolving still pulls this peer's chain; announcing to it
					// is pointless.
					g.log.Info("peer has no "+m.path+" route; no more announcements to it", "peer", peer)
					noRoute = true
					continue
				}
				g.log.Debug("gossip failed", "peer", peer, "path", m.path, "err", err)
				continue
			}
			g.sent.Add(1)
		}
	}
}

// close stops every peer goroutine (queued messages are dropped) and waits.
// The caller cancels ctx first.
func (g *gossiper) close() {
	g.mu.Lock()
	if !g.closed {
		g.closed = true
		for _, q := range g.queues {
			close(q)
		}
	}
	g.mu.Unlock()
	g.wg.Wait()
}
