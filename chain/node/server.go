package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/powlab/powlab/chain"
)

// Banner is what GET / answers.
const Banner = "powlab node: a proof-of-work chain compatible with the tutorial's routes (/chain, /mine, /new_transcations, /new_node, /node_refresh)"

// Handler returns the node's routes. The tutorial's names and the clearer
// ones answer alike.
func (n *Node) Handler() http.Handler {
	mux := http.NewServeMux()
	allowed := map[string]string{} // path -> method, for 405 answers
	handle := func(method, path string, h http.HandlerFunc) {
		allowed[path] = method
		if path == "/" {
			path = "/{$}"
		}
		mux.HandleFunc(method+" "+path, h)
	}
	handle("GET", "/", n.handleIndex)
	handle("GET", "/chain", n.handleChain)
	handle("GET", "/mine", n.handleMine)
	handle("POST", "/new_transcations", n.handleNewTx) // sic: the tutorial's spelling
	handle("POST", "/transactions/new", n.handleNewTx)
	handle("POST", "/new_node", n.handleNewNode)
	handle("POST", "/nodes/register", n.handleNewNode)
	handle("GET", "/node_refresh", n.handleResolve)
	handle("GET", "/nodes/resolve", n.handleResolve)
	handle("GET", "/status", n.handleStatus)
	handle("POST", "/blocks", n.handleBlock)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if m, ok := allowed[r.URL.Path]; ok {
			w.Header().Set("Allow", m)
			writeError(w, http.StatusMethodNotAllowed, "%s %s: use %s", r.Method, r.URL.Path, m)
			return
		}
		writeError(w, http.StatusNotFound, "no route %s %s; see GET /", r.Method, r.URL.Path)
	})
	return n.recoverer(mux)
}

// recoverer turns a handler panic into a 500 and a log line instead of a
// dropped connection; a bug in one request must not take the node down.
func (n *Node) recoverer(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				n.log.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				writeError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// writeJSON writes v with sorted keys, as the tutorial's Flask jsonify and
// Python's json.dumps(sort_keys=True) do, and a trailing newline.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err == nil {
		data, err = chain.CanonicalJSON(data)
	}
	if err != nil {
		http.Error(w, "encode: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(append(data, '\n'))
}

// errorBody is every error answer: {"message": "...", "error": "..."}.
type errorBody struct {
	Message string `json:"message"`
	Error   string `json:"error"`
}

// retryAfterSeconds is the Retry-After of every 503: the node is busy (a
// full mempool empties with the next block; a shutdown or a slow resolve
// passes), so a client should come back shortly rather than at once.
const retryAfterSeconds = "5"

func writeError(w http.ResponseWriter, status int, format string, a ...any) {
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", retryAfterSeconds)
	}
	msg := fmt.Sprintf(format, a...)
	writeJSON(w, status, errorBody{Message: msg, Error: http.StatusText(status)})
}

// readBody reads a request body of at most limit bytes. It answers the
// client itself (413, 400) and returns ok=false when the body is refused.
// The Content-Type is not checked: the body must parse as JSON whatever it
// says (curl -d sends a form type).
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, "request body larger than %d bytes", limit)
			return nil, false
		}
		writeError(w, http.StatusBadRequest, "read body: %v", err)
		return nil, false
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		writeError(w, http.StatusBadRequest, "empty body: send a JSON object")
		return nil, false
	}
	return data, true
}

func (n *Node) handleIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, Banner+"\n")
}

func (n *Node) handleChain(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(n.chainDocument())
}

// MineAnswer is GET /mine's answer, the tutorial's shape.
type MineAnswer struct {
	Message      string     `json:"message"`
	Index        uint64     `json:"index"`
	Transactions []chain.Tx `json:"transactions"`
	Proof        uint64     `json:"proof"`
	Hash         string     `json:"hash"`
	PrevHash     any        `json:"prev_hash"`
}

func (n *Node) handleMine(w http.ResponseWriter, r *http.Request) {
	// A search may take longer than the server's write timeout.
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(2*n.cfg.MineTimeout + 5*time.Second))
	// One /mine search at a time: a burst of requests queues instead of
	// splitting the CPU between many searches for the same block.
	select {
	case n.mineSem <- struct{}{}:
		defer func() { <-n.mineSem }()
	case <-r.Context().Done():
		return
	}
	b, err := n.MineOne(r.Context())
	if err != nil {
		switch {
		case r.Context().Err() != nil:
			return // the client left
		case errors.Is(err, errMineTimeout):
			writeError(w, http.StatusServiceUnavailable, "%v", err)
		case errors.Is(err, ErrClosed):
			writeError(w, http.StatusServiceUnavailable, "node is shutting down")
		default:
			n.log.Error("mine", "err", err)
			writeError(w, http.StatusInternalServerError, "mine: %v", err)
		}
		return
	}
	writeJSON(w, http.StatusOK, MineAnswer{
		Message:      "new block created...",
		Index:        b.Index,
		Transactions: nonNilTxs(b.Transactions),
		Proof:        b.Proof,
		Hash:         n.rules.Hash(b).String(),
		PrevHash:     prevHashJSON(b),
	})
}

func nonNilTxs(t []chain.Tx) []chain.Tx {
	if t == nil {
		return []chain.Tx{}
	}
	return t
}

// prevHashJSON is prev_hash as the tutorial writes it: the int 1 in genesis.
func prevHashJSON(b *chain.Block) any {
	if b.IsGenesis() {
		return 1
	}
	return b.PrevHash.String()
}

type messageAnswer struct {
	Message string `json:"message"`
}

func (n *Node) handleNewTx(w http.ResponseWriter, r *http.Request) {
	data, ok := readBody(w, r, n.cfg.MaxTxBody)
	if !ok {
		return
	}
	tx, err := chain.DecodeTx(data)
	if err != nil {
		writeError(w, http.StatusBadRequest, "transaction refused: %v (send {\"sender\": str, \"recipient\": str, \"amount\": number})", err)
		return
	}
	index, err := n.AddTransaction(tx)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, chain.ErrMempoolFull) {
			status = http.StatusServiceUnavailable
		}
		writeError(w, status, "transaction refused: %v", err)
		return
	}
	writeJSON(w, http.StatusOK, messageAnswer{Message: fmt.Sprintf("Transaction will be added to Block %d", index)})
}

// NodesAnswer is POST /new_node's answer.
type NodesAnswer struct {
	Message string   `json:"message"`
	Nodes   []string `json:"nodes"`
}

func (n *Node) handleNewNode(w http.ResponseWriter, r *http.Request) {
	data, ok := readBody(w, r, n.cfg.MaxTxBody)
	if !ok {
		return
	}
	var req struct {
		Nodes json.RawMessage `json:"nodes"`
	}
	if err := json.Unmarshal(data, &req); err != nil {
		writeError(w, http.StatusBadRequest, "body is not a JSON object: %v", err)
		return
	}
	var list []string
	if len(req.Nodes) == 0 || string(req.Nodes) == "null" {
		writeError(w, http.StatusBadRequest, "no \"nodes\": send {\"nodes\": [\"http://host:port\", ...]}")
		return
	}
	if err := json.Unmarshal(req.Nodes, &list); err != nil {
		writeError(w, http.StatusBadRequest, "\"nodes\" must be an array of strings")
		return
	}
	if len(list) == 0 {
		writeError(w, http.StatusBadRequest, "\"nodes\" is empty")
		return
	}
	if _, err := n.AddPeers(list...); err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, NodesAnswer{Message: "New nodes have been added", Nodes: n.Peers()})
}

// ResolveAnswer is the answer of GET /node_refresh: "new chain" when the
// chain was replaced, "chain" otherwise, as in the tutorial.
type ResolveAnswer struct {
	Message  string          `json:"message"`
	NewChain json.RawMessage `json:"new chain,omitempty"`
	Chain    json.RawMessage `json:"chain,omitempty"`
}

func (n *Node) handleResolve(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Now().Add(2*n.cfg.PeerTimeout + 30*time.Second))
	rep, err := n.Resolve(r.Context())
	if err != nil {
		if r.Context().Err() != nil {
			return
		}
		writeError(w, http.StatusServiceUnavailable, "resolve: %v", err)
		return
	}
	blocks := blocksJSON(n.Blocks())
	if rep.Replaced {
		writeJSON(w, http.StatusOK, ResolveAnswer{Message: "Our chain was replaced", NewChain: blocks})
		return
	}
	writeJSON(w, http.StatusOK, ResolveAnswer{Message: "Our chain is authoritative", Chain: blocks})
}

// blocksJSON is a JSON array of blocks in canonical form.
func blocksJSON(blocks []*chain.Block) json.RawMessage {
	doc := chain.EncodeChainJSON(blocks) // {"chain": [...], "length": n}
	start := len(`{"chain": `)
	end := strings.LastIndex(string(doc), `, "length": `)
	return json.RawMessage(doc[start:end])
}

func (n *Node) handleStatus(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, n.Status())
}

// BlockAnnouncement is the body of POST /blocks: the block and, optionally,
// the announcing node's address, which the receiver fetches the chain from
// when the block does not connect. A bare block object is accepted too.
type BlockAnnouncement struct {
	Block *chain.Block `json:"block"`
	From  string       `json:"from,omitempty"`
}

// BlockAnswer is POST /blocks's answer.
type BlockAnswer struct {
	Message string `json:"message"`
	Status  string `json:"status"` // extended, reorged, side chain, duplicate, orphan
	Height  uint64 `json:"height"`
}

func (n *Node) handleBlock(w http.ResponseWriter, r *http.Request) {
	data, ok := readBody(w, r, n.cfg.MaxBlockBody)
	if !ok {
		return
	}
	var env struct {
		Block json.RawMessage `json:"block"`
		From  string          `json:"from"`
	}
	raw := data
	if err := json.Unmarshal(data, &env); err == nil && len(env.Block) > 0 {
		raw = env.Block
	}
	b, err := chain.DecodeBlock(raw)
	if err != nil {
		writeError(w, http.StatusBadRequest, "block refused: %v", err)
		return
	}
	from := ""
	if env.From != "" {
		if from, err = ParsePeer(env.From); err != nil {
			writeError(w, http.StatusBadRequest, "from: %v", err)
			return
		}
	}
	res, err := n.ReceiveBlock(r.Context(), b, from)
	if err != nil {
		if _, ok := chain.IsRuleError(err); ok {
			n.log.Info("peer block rejected", "from", from, "remote", r.RemoteAddr, "err", err)
			writeError(w, http.StatusUnprocessableEntity, "block refused: %v", err)
			return
		}
		if errors.Is(err, ErrClosed) {
			writeError(w, http.StatusServiceUnavailable, "node is shutting down")
			return
		}
		n.log.Error("receive block", "err", err)
		writeError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	status, msg := http.StatusOK, ""
	switch res {
	case chain.Extended:
		msg = "block accepted: it extends our tip"
	case chain.Reorged:
		msg = "block accepted: its branch has more work and is now our main chain"
	case chain.SideChain:
		msg = "block stored on a side branch with less work"
	case chain.Duplicate:
		msg = "block already known"
	case chain.Orphan:
		status, msg = http.StatusAccepted, "block does not connect to our chain: fetching the sender's chain to compare work"
	}
	writeJSON(w, status, BlockAnswer{Message: msg, Status: res.String(), Height: n.Height()})
}

// logRequests wraps h with one debug log line per request.
func logRequests(log *slog.Logger, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.ServeHTTP(w, r)
		log.Debug("http", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr, "dur", time.Since(start))
	})
}
