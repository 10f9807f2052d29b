package stratum

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/powlab/powlab/miner/sha256x"
)

// Public vectors: Bitcoin mainnet blocks 0, 1 and 170.
const (
	genesisCoinbase = "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000"
	genesisHeader   = "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c"
	genesisHash     = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
	block1Coinbase  = "01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff0704ffff001d0104ffffffff0100f2052a0100000043410496b538e853519c726a2c91e61ec11600ae1390813a627c66fb8be7947be63c52da7589379515d4e0a604f8141781e62294721166bf621e73a82cbf2342c858eeac00000000"
	// block1Header is the first line of chain/testdata/btc_headers_1_11.txt.
	block1Header = "010000006fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000982051fd1e4ba744bbbe680e1fee14677ba1a3c3540bf7b1cdb606e857233e0e61bc6649ffff001d01e36299"
	block1Hash   = "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048"
	// block1Prev is the genesis hash as a notify carries it: the internal
	// order (6fe28c0a…) in byte-swapped 4-byte words.
	block1Prev = "0a8ce26f72b3f1b646a2a6c14ff763ae65831e939c085ae10019d66800000000"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func displayHash(b []byte) string {
	d := sha256x.Sum256d(b)
	slices.Reverse(d[:])
	return hex.EncodeToString(d[:])
}

// notifyParams builds mining.notify params from the pieces.
func notifyParams(id, prev, coinb1, coinb2 string, branch []string, version, nbits, ntime string, clean bool) json.RawMessage {
	if branch == nil {
		branch = []string{}
	}
	b, _ := json.Marshal([]any{id, prev, coinb1, coinb2, branch, version, nbits, ntime, clean})
	return b
}

// TestHeaderRealBlocks rebuilds blocks 0 and 1 from a notify, with the
// coinbase split around an extranonce1 and extranonce2 taken from its
// scriptSig, and checks the header bytes, the block hash and the nonce
// as it would be submitted.
func TestHeaderRealBlocks(t *testing.T) {
	tests := []struct {
		name, coinbase, prev, ntime, header, hash, nonceHex string
		nonce                                               uint32
	}{
		{"genesis", genesisCoinbase, strings.Repeat("0", 64), "495fab29", genesisHeader, genesisHash, "7c2bac1d", 0x7c2bac1d},
		{"block 1", block1Coinbase, block1Prev, "4966bc61", block1Header, block1Hash, "9962e301", 0x9962e301},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cb := unhex(t, tc.coinbase)
			// extranonce1 and extranonce2: 4 bytes each inside the scriptSig
			// (which starts at byte 42).
			en1, en2 := cb[42:46], cb[46:50]
			raw := notifyParams("j1", tc.prev, hex.EncodeToString(cb[:42]), hex.EncodeToString(cb[50:]), nil,
				"00000001", "1d00ffff", tc.ntime, true)
			j, err := parseNotify(raw)
			if err != nil {
				t.Fatal(err)
			}
			h := j.Header(en1, en2, tc.nonce)
			if got := hex.EncodeToString(h[:]); got != tc.header {
				t.Fatalf("header\n got %s\nwant %s", got, tc.header)
			}
			if got := displayHash(h[:]); got != tc.hash {
				t.Fatalf("hash %s, want %s", got, tc.hash)
			}
			if got := hex32(tc.nonce); got != tc.nonceHex || got != hex.EncodeToString(reversed(h[76:80])) {
				t.Fatalf("nonce hex %s, want %s (the header's last 4 bytes reversed)", got, tc.nonceHex)
			}
			if !j.Clean || j.ID != "j1" || j.Version != 1 || j.NBits != 0x1d00ffff {
				t.Fatalf("job %+v", j)
			}
		})
	}
}

func reversed(b []byte) []byte {
	c := slices.Clone(b)
	slices.Reverse(c)
	return c
}

// TestHeaderBranch checks the branch fold and a non-zero prevhash on block
// 170, whose two transactions give a one-hash branch: the coinbase's txid
// with the second txid gives the published Merkle root, and the header
// the published hash.
func TestHeaderBranch(t *testing.T) {
	txid := func(display string) (h [32]byte) {
		copy(h[:], reversed(unhex(t, display)))
		return h
	}
	coinbase := txid("b1fea52486ce0c62bb442b530a3f0132b826c74e473d1f2c220bfa78111c5082")
	second := "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16"
	raw := notifyParams("170", "0a84bd55d08a7978683f85da183d4f97dbd12b3e1f2c846a2a22cfee00000000", "", "",
		[]string{hex.EncodeToString(reversed(unhex(t, second)))}, "00000001", "1d00ffff", "496ab951", false)
	j, err := parseNotify(raw)
	if err != nil {
		t.Fatal(err)
	}
	root := foldBranch(coinbase, j.Branch)
	if got := hex.EncodeToString(reversed(root[:])); got != "7dac2c5666815c17a3b36427de37bb9d2e2c5ccec3f8633eb91a4205cb4c10ff" {
		t.Fatalf("merkle root %s", got)
	}
	h := j.header(root, 1889418792)
	if got := displayHash(h[:]); got != "00000000d1145790a8694403d4063f323d499e655c83426834d4ce2f8dd4a2ee" {
		t.Fatalf("block 170 hash %s", got)
	}
	if got := hex.EncodeToString(reversed(h[4:36])); got != "000000002a22cfee1f2c846adbd12b3e183d4f97683f85dad08a79780a84bd55" {
		t.Fatalf("prev block %s", got)
	}
}

func TestParseDifficulty(t *testing.T) {
	diff1 := new(big.Int).Lsh(big.NewInt(0xFFFF), 208)
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	tests := []struct {
		name, in string
		want     *big.Int // nil: an error
	}{
		{"one", "1", diff1},
		{"integer", "1024", new(big.Int).Quo(diff1, big.NewInt(1024))},
		{"floor", "3", new(big.Int).Quo(diff1, big.NewInt(3))},
		{"half", "0.5", new(big.Int).Lsh(diff1, 1)},
		{"exponent", "1.5e-5", new(big.Int).Quo(new(big.Int).Mul(diff1, big.NewInt(200000)), big.NewInt(3))},
		{"2^-16", "0.0000152587890625", new(big.Int).Lsh(diff1, 16)},
		{"capped", "1e-30", max},
		{"huge", "1e300", new(big.Int)},
		{"zero", "0", nil},
		{"negative", "-2", nil},
		{"not a number", "abc", nil},
		{"infinite", "1e400", nil},
		{"too long", "1." + strings.Repeat("1", 80), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseDifficulty(tc.in)
			if tc.want == nil {
				if err == nil {
					t.Fatalf("no error, target %x", d.Target)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := new(big.Int).SetBytes(d.Target[:]); got.Cmp(tc.want) != 0 {
				t.Fatalf("target %x, want %x", got, tc.want)
			}
			if d.String() != tc.in {
				t.Fatalf("String() = %q, want the pool's %q", d.String(), tc.in)
			}
		})
	}
	if DefaultDifficulty().Target != mustDiff(t, "1").Target {
		t.Fatal("default difficulty is not 1")
	}
}

func mustDiff(t *testing.T, s string) Difficulty {
	t.Helper()
	d, err := ParseDifficulty(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestParseNotifyRejects(t *testing.T) {
	good := []any{"id", strings.Repeat("0", 64), "01", "02", []string{}, "00000001", "1d00ffff", "495fab29", true}
	with := func(i int, v any) json.RawMessage {
		p := slices.Clone(good)
		p[i] = v
		b, _ := json.Marshal(p)
		return b
	}
	tests := []struct {
		name string
		raw  json.RawMessage
	}{
		{"not an array", json.RawMessage(`{"a":1}`)},
		{"too few", json.RawMessage(`["id"]`)},
		{"job id number", with(0, 5)},
		{"empty job id", with(0, "")},
		{"long job id", with(0, strings.Repeat("x", 200))},
		{"short prevhash", with(1, "00")},
		{"prevhash not hex", with(1, strings.Repeat("zz", 32))},
		{"odd coinb1", with(2, "0")},
		{"coinb2 not hex", with(3, "xy")},
		{"branch not array", with(4, "ab")},
		{"branch hash short", with(4, []string{"abcd"})},
		{"branch too long", with(4, slices.Repeat([]string{strings.Repeat("0", 64)}, 33))},
		{"version short", with(5, "1")},
		{"nbits not hex", with(6, "1d00fffg")},
		{"ntime number", with(7, 12345678)},
		{"clean string", with(8, "true")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if j, err := parseNotify(tc.raw); err == nil || !errors.Is(err, ErrProtocol) {
				t.Fatalf("got %+v, %v; want a protocol error", j, err)
			}
		})
	}
	if _, err := parseNotify(with(8, false)); err != nil {
		t.Fatal(err)
	}
}

func TestParseSubscribe(t *testing.T) {
	tests := []struct {
		name, raw string
		en1       string
		size      int
		ok        bool
	}{
		{"usual", `[[["mining.set_difficulty","1"],["mining.notify","1"]],"08000002",4]`, "08000002", 4, true},
		{"no extranonce2", `[[],"ab",0]`, "ab", 0, true},
		{"short", `[[],"ab"]`, "", 0, false},
		{"size string", `[[],"ab","4"]`, "", 0, false},
		{"size negative", `[[],"ab",-1]`, "", 0, false},
		{"size huge", `[[],"ab",1000]`, "", 0, false},
		{"bad hex", `[[],"a",4]`, "", 0, false},
		{"not array", `true`, "", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := parseSubscribe(json.RawMessage(tc.raw))
			if (err == nil) != tc.ok {
				t.Fatalf("err %v, want ok=%v", err, tc.ok)
			}
			if tc.ok && (hex.EncodeToString(s.Extranonce1) != tc.en1 || s.Extranonce2Size != tc.size) {
				t.Fatalf("got %x/%d", s.Extranonce1, s.Extranonce2Size)
			}
		})
	}
}

func TestParseError(t *testing.T) {
	tests := []struct {
		raw  string
		code int
		msg  string
	}{
		{`[23,"Low difficulty share",null]`, 23, "Low difficulty share"},
		{`{"code":21,"message":"Job not found"}`, 21, "Job not found"},
		{`"stale"`, 0, "stale"},
		{`null`, 0, ""},
		{`[]`, 0, ""},
		{`42`, 0, "42"},
	}
	for _, tc := range tests {
		t.Run(tc.raw, func(t *testing.T) {
			code, msg := parseError(json.RawMessage(tc.raw))
			if code != tc.code || msg != tc.msg {
				t.Fatalf("got %d %q", code, msg)
			}
		})
	}
}

func TestExtranonce2(t *testing.T) {
	tests := []struct {
		x    uint64
		size int
		want string
	}{
		{0, 4, "00000000"},
		{1, 4, "00000001"},
		{0x01020304, 4, "01020304"},
		{0x0102, 1, "02"},
		{5, 0, ""},
		{7, 10, "00000000000000000007"},
	}
	for _, tc := range tests {
		if got := hex.EncodeToString(extranonce2(tc.x, tc.size)); got != tc.want {
			t.Errorf("extranonce2(%d, %d) = %s, want %s", tc.x, tc.size, got, tc.want)
		}
	}
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"stratum+tcp://pool.example.com:3333", "pool.example.com:3333"},
		{"STRATUM+TCP://127.0.0.1:3333/", "127.0.0.1:3333"},
		{"stratum+tcp://[::1]:3333", "[::1]:3333"},
		{"pool.example.com:3333", ""},
		{"stratum+ssl://pool:3333", ""},
		{"http://pool:3333", ""},
		{"stratum+tcp://pool", ""},
		{"stratum+tcp://pool:", ""},
		{"stratum+tcp://:3333", ""},
		{"stratum+tcp://pool:notaport", ""},
		{"stratum+tcp://pool:3333/path", ""},
		{"stratum+tcp://user@pool:3333", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseURL(tc.in)
			if tc.want == "" {
				if !errors.Is(err, ErrBadURL) {
					t.Fatalf("got %q, %v; want ErrBadURL", got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func ExampleParseDifficulty() {
	d, _ := ParseDifficulty("0.5")
	fmt.Printf("%x\n", d.Target)
	// Output: 00000001fffe0000000000000000000000000000000000000000000000000000
}
