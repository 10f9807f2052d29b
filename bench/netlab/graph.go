package netlab

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// Graph is an undirected network in compressed rows: node i's neighbours
// are Adj[Off[i]:Off[i+1]], in ascending order, and LinkOf gives, for each
// entry of Adj, the index of its link in Links (so a per-link value such as
// a latency is shared by both directions).
type Graph struct {
	Off    []int32
	Adj    []int32
	LinkOf []int32
	// Links are the undirected links (A < B), sorted.
	Links [][2]int32
}

// MaxMeshNodes bounds a full mesh, whose links grow as n².
const MaxMeshNodes = 1000

// BuildGraph builds the topology's links among n nodes. A random topology
// draws, for each node in turn, degree distinct peers other than itself
// from rng; the union of these links, undirected, is the graph. Mesh, ring
// and star follow Topology.Peers and draw nothing.
func BuildGraph(top Topology, n, degree int, rng *rand.Rand) (*Graph, error) {
	if n < 2 || n > MaxSimNodes {
		return nil, fmt.Errorf("%w: a network has 2 to %d nodes, got %d", ErrBadSpec, MaxSimNodes, n)
	}
	var keys []uint64
	add := func(a, b int) {
		if a > b {
			a, b = b, a
		}
		keys = append(keys, uint64(a)<<32|uint64(b))
	}
	switch top {
	case Random:
		if degree < 1 || degree > n-1 {
			return nil, fmt.Errorf("%w: --degree %d: want 1 to %d (nodes − 1)", ErrBadSpec, degree, n-1)
		}
		keys = make([]uint64, 0, n*degree)
		picked := make([]int, 0, degree)
		for i := range n {
			picked = picked[:0]
			for len(picked) < degree {
				j := rng.IntN(n - 1)
				if j >= i {
					j++
				}
				if !slices.Contains(picked, j) {
					picked = append(picked, j)
					add(i, j)
				}
			}
		}
	case Mesh, Ring, Star, "":
		if (top == Mesh || top == "") && n > MaxMeshNodes {
			return nil, fmt.Errorf("%w: a mesh of %d nodes has %d links; up to %d nodes, or --topology random", ErrBadSpec, n, n*(n-1)/2, MaxMeshNodes)
		}
		for i := range n {
			for _, j := range top.Peers(i, n) {
				if j > i {
					add(i, j)
				}
			}
		}
	default:
		return nil, fmt.Errorf("%w: topology %q", ErrBadSpec, top)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	g := &Graph{Off: make([]int32, n+1), Adj: make([]int32, 2*len(keys)), LinkOf: make([]int32, 2*len(keys)), Links: make([][2]int32, len(keys))}
	for _, k := range keys {
		g.Off[k>>32+1]++
		g.Off[k&0xffffffff+1]++
	}
	for i := range n {
		g.Off[i+1] += g.Off[i]
	}
	next := slices.Clone(g.Off[:n])
	// Keys are sorted by (a, b), so each row fills in ascending order: first
	// the smaller neighbours (links where the node is b, by a), then the
	// larger ones (where it is a, by b).
	for e, k := range keys {
		a, b := int32(k>>32), int32(k&0xffffffff)
		g.Links[e] = [2]int32{a, b}
		g.Adj[next[a]], g.LinkOf[next[a]] = b, int32(e)
		next[a]++
		g.Adj[next[b]], g.LinkOf[next[b]] = a, int32(e)
		next[b]++
	}
	return g, nil
}

// Nodes is the number of nodes.
func (g *Graph) Nodes() int { return len(g.Off) - 1 }

// Neighbors are node i's neighbours, ascending.
func (g *Graph) Neighbors(i int) []int32 { return g.Adj[g.Off[i]:g.Off[i+1]] }

// Connected reports whether every node can reach every other.
func (g *Graph) Connected() bool {
	n := g.Nodes()
	seen := make([]bool, n)
	stack := []int32{0}
	seen[0] = true
	reached := 1
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, j := range g.Neighbors(int(i)) {
			if !seen[j] {
				seen[j] = true
				reached++
				stack = append(stack, j)
			}
		}
	}
	return reached == n
}
