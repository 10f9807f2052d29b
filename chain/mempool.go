package chain

import "fmt"

// MaxPending bounds the mempool's transaction count.
const MaxPending = 10000

// mempool holds pending transactions in arrival order. It is guarded by the
// Chain's mutex.
type mempool struct {
	txs []Tx
	max int
}

func (m *mempool) add(tx Tx) error {
	if err := CheckTx(tx); err != nil {
		return err
	}
	if tx.IsReward() {
		return fmt.Errorf("%w: sender %q is reserved for mining rewards", ErrInvalidTx, RewardSender)
	}
	if len(m.txs) >= m.max {
		return fmt.Errorf("%w: %d transactions pending", ErrMempoolFull, len(m.txs))
	}
	m.txs = append(m.txs, tx)
	return nil
}

// take returns up to n pending transactions, oldest first, leaving them in
// the pool until a block holding them joins the main chain.
func (m *mempool) take(n int) []Tx {
	return append([]Tx(nil), m.txs[:min(n, len(m.txs))]...)
}

// removeIncluded drops one pending copy of each transaction in blocks.
func (m *mempool) removeIncluded(blocks []*Block) {
	if len(m.txs) == 0 {
		return
	}
	count := map[string]int{}
	for _, b := range blocks {
		for _, tx := range b.Transactions {
			if !tx.IsReward() {
				count[string(tx.CanonicalJSON())]++
			}
		}
	}
	if len(count) == 0 {
		return
	}
	kept := m.txs[:0]
	for _, tx := range m.txs {
		k := string(tx.CanonicalJSON())
		if count[k] > 0 {
			count[k]--
			continue
		}
		kept = append(kept, tx)
	}
	clear(m.txs[len(kept):])
	m.txs = kept
}

// restore puts the transactions of blocks dropped by a reorg back in front
// of the pool (they are older than what is pending), up to its bound.
func (m *mempool) restore(blocks []*Block) {
	var back []Tx
	for _, b := range blocks {
		for _, tx := range b.Transactions {
			if !tx.IsReward() && CheckTx(tx) == nil {
				back = append(back, tx)
			}
		}
	}
	if len(back) == 0 {
		return
	}
	all := append(back, m.txs...)
	if len(all) > m.max {
		all = all[:m.max]
	}
	m.txs = all
}
