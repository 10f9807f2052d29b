package sha256x

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestDecimalAdder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	steps := []uint64{1, 2, 7, 10, 11, 99, 1000, 123456789, 1 << 40}
	for _, step := range steps {
		a := newDecimalAdder(step)
		for i := 0; i < 2000; i++ {
			n := rng.Uint64N(1 << uint(rng.IntN(60)+1))
			if i%50 == 0 {
				n = 999999 - step%1000 // near a width change
			}
			d := []byte(strconv.FormatUint(n, 10))
			want := strconv.FormatUint(n+step, 10)
			ok := a.add(d)
			if ok != (len(want) == len(d)) {
				t.Fatalf("step %d n %d: ok=%v but %s has %d digits", step, n, ok, want, len(want))
			}
			if ok && string(d) != want {
				t.Fatalf("step %d n %d: got %s want %s", step, n, d, want)
			}
		}
	}
}
