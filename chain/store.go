package chain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/google/uuid"
	bolt "go.etcd.io/bbolt"
)

// The store is one bbolt file, DIR/chain.db. bbolt commits each update
// with fsync and never overwrites live pages, so a block is stored whole or
// not at all and survives kill -9 once its update has returned.
//
// Buckets:
//   - meta:   "params" (JSON), "address" (the node's address), "tip" (hash)
//   - blocks: hash (32 bytes) -> the block's canonical JSON, every branch
const (
	dbFile = "chain.db"
	// lockTimeout is how long Open waits for another process's lock on the
	// store before saying the data directory is in use.
	lockTimeout = time.Second
)

var (
	bucketMeta   = []byte("meta")
	bucketBlocks = []byte("blocks")
	keyParams    = []byte("params")
	keyAddress   = []byte("address")
	keyTip       = []byte("tip")
)

// EnvDataDir names the environment variable that overrides the default data
// directory.
const EnvDataDir = "POWLAB_DATA"

// DefaultDataDir is $POWLAB_DATA, or ~/.powlab.
func DefaultDataDir() (string, error) {
	if d := os.Getenv(EnvDataDir); d != "" {
		return d, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("default data directory: %w (set $%s or --data)", err, EnvDataDir)
	}
	return filepath.Join(home, ".powlab"), nil
}

// NewAddress makes a node address as the tutorial does:
// str(uuid4()).replace("-", "").
func NewAddress() string {
	u := uuid.New()
	var b [32]byte
	const hx = "0123456789abcdef"
	for i, c := range u {
		b[2*i], b[2*i+1] = hx[c>>4], hx[c&0xF]
	}
	return string(b[:])
}

type store struct {
	db *bolt.DB
}

func openStore(dir string) (*store, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	path := filepath.Join(dir, dbFile)
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: lockTimeout})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("open %s: in use by another powlab process", path)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketMeta); err != nil {
			return err
		}
		_, err := tx.CreateBucketIfNotExists(bucketBlocks)
		return err
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("init %s: %w", path, err)
	}
	return &store{db: db}, nil
}

func (s *store) close() error { return s.db.Close() }

// loadMeta returns the stored params (nil if the store is new) and address.
func (s *store) loadMeta() (p *Params, address string, tip Hash, hasTip bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		if v := m.Get(keyParams); v != nil {
			p = new(Params)
			if err := json.Unmarshal(v, p); err != nil {
				return fmt.Errorf("stored params: %w", err)
			}
		}
		address = string(m.Get(keyAddress))
		if v := m.Get(keyTip); len(v) == 32 {
			copy(tip[:], v)
			hasTip = true
		}
		return nil
	})
	return
}

// create writes the params, the address and the genesis block at once.
func (s *store) create(p Params, address string, genesis *Block, h Hash) error {
	pj, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		if err := m.Put(keyParams, pj); err != nil {
			return err
		}
		if err := m.Put(keyAddress, []byte(address)); err != nil {
			return err
		}
		if err := tx.Bucket(bucketBlocks).Put(h[:], genesis.CanonicalJSON()); err != nil {
			return err
		}
		return m.Put(keyTip, h[:])
	})
}

type storedBlock struct {
	hash  Hash
	block *Block
}

// loadBlocks reads every stored block, sorted by index (parents first).
func (s *store) loadBlocks() ([]storedBlock, error) {
	var out []storedBlock
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBlocks).ForEach(func(k, v []byte) error {
			if len(k) != 32 {
				return fmt.Errorf("stored block key %x: not a hash", k)
			}
			b, err := DecodeBlock(v)
			if err != nil {
				return fmt.Errorf("stored block %x: %w", k, err)
			}
			var h Hash
			copy(h[:], k)
			out = append(out, storedBlock{h, b})
			return nil
		})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].block.Index < out[j].block.Index })
	return out, err
}

// putBlocks stores blocks and, if tip is non-nil, the new tip, in one
// transaction.
func (s *store) putBlocks(blocks []storedBlock, tip *Hash) error {
	// Insert in key order: bbolt then fills pages in sequence instead of
	// splitting pages all over the tree (adopting a 100 000-block chain
	// took 15 s with random order and 2 s sorted, on the lab machine).
	sorted := append([]storedBlock(nil), blocks...)
	sort.Slice(sorted, func(i, j int) bool { return bytes.Compare(sorted[i].hash[:], sorted[j].hash[:]) < 0 })
	return s.db.Update(func(tx *bolt.Tx) error {
		bb := tx.Bucket(bucketBlocks)
		for _, sb := range sorted {
			if err := bb.Put(sb.hash[:], sb.block.CanonicalJSON()); err != nil {
				return err
			}
		}
		if tip != nil {
			return tx.Bucket(bucketMeta).Put(keyTip, tip[:])
		}
		return nil
	})
}
