package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrBadPeer wraps every reason a peer address is refused.
var ErrBadPeer = errors.New("invalid peer address")

// ErrTooManyPeers: registering would exceed Config.MaxPeers.
var ErrTooManyPeers = errors.New("too many peers")

// ErrTooLarge: a peer's answer exceeded the response-size cap.
var ErrTooLarge = errors.New("response too large")

// ParsePeer checks and normalises a peer address. It accepts a URL with an
// http or https scheme ("http://127.0.0.1:5006", a trailing "/" allowed) and
// the tutorial's bare netloc ("127.0.0.1:5006", taken as http). A host and
// an explicit port are required; user info, paths, queries and fragments are
// refused. The result is "scheme://host:port" with a lower-case host.
func ParsePeer(s string) (string, error) {
	raw := strings.TrimSpace(s)
	if raw == "" {
		return "", fmt.Errorf("%w: empty", ErrBadPeer)
	}
	if len(raw) > 512 {
		return "", fmt.Errorf("%w: %d bytes long", ErrBadPeer, len(raw))
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%w: %.100q: %v", ErrBadPeer, s, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("%w: %.100q: scheme %q, want http or https", ErrBadPeer, s, u.Scheme)
	case u.User != nil:
		return "", fmt.Errorf("%w: %.100q: user info is not allowed", ErrBadPeer, s)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "", u.Opaque != "":
		return "", fmt.Errorf("%w: %.100q: want scheme://host:port with no path or query", ErrBadPeer, s)
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		return "", fmt.Errorf("%w: %.100q: no host", ErrBadPeer, s)
	}
	if port == "" {
		return "", fmt.Errorf("%w: %.100q: no port (write host:port)", ErrBadPeer, s)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return "", fmt.Errorf("%w: %.100q: port %q is not 1-65535", ErrBadPeer, s, port)
	}
	return u.Scheme + "://" + net.JoinHostPort(strings.ToLower(host), port), nil
}

// peerSet is the bounded set of registered peers.
type peerSet struct {
	mu    sync.Mutex
	max   int
	self  string
	peers []string // normalised, in registration order
}

// add registers the peers (already normalised). Known peers and the node's
// own address are skipped; it fails, adding none, if the set would exceed
// its bound.
func (s *peerSet) add(urls []string) (added []string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range urls {
		if u == s.self || slices.Contains(s.peers, u) || slices.Contains(added, u) {
			continue
		}
		added = append(added, u)
	}
	if len(s.peers)+len(added) > s.max {
		return nil, fmt.Errorf("%w: %d registered, %d new, the limit is %d", ErrTooManyPeers, len(s.peers), len(added), s.max)
	}
	s.peers = append(s.peers, added...)
	return added, nil
}

func (s *peerSet) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.peers)
}

func (s *peerSet) setSelf(u string) {
	s.mu.Lock()
	s.self = u
	s.peers = slices.DeleteFunc(s.peers, func(p string) bool { return p == u })
	s.mu.Unlock()
}

// Client talks to peers: it fetches their chains and announces blocks. Every
// request has a timeout and every answer a size cap; redirects are not
// followed.
type Client struct {
	HTTP *http.Client
	// MaxResponseBytes caps a peer's answer.
	MaxResponseBytes int64
	// UserAgent identifies this node.
	UserAgent string
}

// NewClient returns a client whose requests time out after timeout and
// whose answers are capped at maxBytes.
func NewClient(timeout time.Duration, maxBytes int64) *Client {
	tr := &http.Transport{
		Proxy:                 nil, // peers are addressed directly
		DialContext:           (&net.Dialer{Timeout: min(timeout, 5*time.Second), KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       60 * time.Second,
		ResponseHeaderTimeout: timeout,
		TLSHandshakeTimeout:   min(timeout, 5*time.Second),
	}
	return &Client{
		HTTP: &http.Client{
			Transport: tr,
			Timeout:   timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		MaxResponseBytes: maxBytes,
		UserAgent:        "powlab-node",
	}
}

// CloseIdle closes idle keep-alive connections.
func (c *Client) CloseIdle() { c.HTTP.CloseIdleConnections() }

// StatusError is a peer's answer with an unexpected HTTP status.
type StatusError struct {
	URL    string
	Status int
	Body   string // the start of the body, for logs
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s: HTTP %d: %s", e.URL, e.Status, e.Body)
}

// do sends a request and reads the capped body. Any status other than 2xx
// is a *StatusError.
func (c *Client) do(ctx context.Context, method, u string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", c.UserAgent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.ContentLength > c.MaxResponseBytes {
		return nil, fmt.Errorf("%s: %w: %d bytes announced, the cap is %d", u, ErrTooLarge, resp.ContentLength, c.MaxResponseBytes)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.MaxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", u, err)
	}
	if int64(len(data)) > c.MaxResponseBytes {
		return nil, fmt.Errorf("%s: %w: more than %d bytes", u, ErrTooLarge, c.MaxResponseBytes)
	}
	if resp.StatusCode/100 != 2 {
		return data, &StatusError{URL: u, Status: resp.StatusCode, Body: snippet(data)}
	}
	return data, nil
}

// Get fetches peer+path (peer as ParsePeer returns it).
func (c *Client) Get(ctx context.Context, peer, path string) ([]byte, error) {
	return c.do(ctx, http.MethodGet, peer+path, nil)
}

// Post sends body to peer+path.
func (c *Client) Post(ctx context.Context, peer, path string, body []byte) ([]byte, error) {
	return c.do(ctx, http.MethodPost, peer+path, body)
}

// snippet is the start of a body, printable, for error messages.
func snippet(b []byte) string {
	const n = 200
	s := string(b)
	if len(s) > n {
		s = s[:n] + "…"
	}
	return strings.TrimSpace(strings.ToValidUTF8(s, "?"))
}
