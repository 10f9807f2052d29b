package chain

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Number is a JSON number as Python's json module sees it: an int of any
// size or a float (an IEEE double). The two stay distinct, because Python
// writes 5 and 5.0 differently and a block's hash covers those bytes.
//
// A Number holds its canonical text, the exact bytes json.dumps writes for
// it. The zero value is the int 0.
type Number struct {
	lit   string // canonical text; "" means the int 0
	float bool
	f     float64 // the value as a double, kept because validation reads it often
}

// intNumber makes an int from its canonical decimal text.
func intNumber(lit string) Number {
	f, _ := strconv.ParseFloat(lit, 64) // ±Inf beyond a double's range
	return Number{lit: lit, f: f}
}

// ErrBadNumber is wrapped by every Number parse error.
var ErrBadNumber = errors.New("invalid number")

// maxIntDigits is the longest int literal Python 3.11's json.loads accepts
// (sys.int_info.default_max_str_digits); longer ones raise ValueError there.
const maxIntDigits = 4300

// Int returns the int i.
func Int(i int64) Number {
	if i == 0 {
		return Number{}
	}
	return Number{lit: strconv.FormatInt(i, 10), f: float64(i)}
}

// Uint returns the int u.
func Uint(u uint64) Number {
	if u == 0 {
		return Number{}
	}
	return Number{lit: strconv.FormatUint(u, 10), f: float64(u)}
}

// BigInt returns the int i.
func BigInt(i *big.Int) Number {
	if i.Sign() == 0 {
		return Number{}
	}
	return intNumber(i.String())
}

// NewFloat returns the float f; NaN and the infinities are refused, because
// a JSON document cannot carry them.
func NewFloat(f float64) (Number, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Number{}, fmt.Errorf("%w: %v is not finite", ErrBadNumber, f)
	}
	return Number{lit: pyFloatRepr(f), float: true, f: f}, nil
}

// Float is NewFloat for values known to be finite; it panics otherwise.
func Float(f float64) Number {
	n, err := NewFloat(f)
	if err != nil {
		panic(err)
	}
	return n
}

// ParseNumber parses a JSON number literal the way Python's json.loads
// does: a literal with a fraction or an exponent is a float, any other is an
// int. Floats that overflow a double are refused (Python would turn them
// into inf, which no valid block contains).
func ParseNumber(s string) (Number, error) {
	if !isJSONNumber(s) {
		return Number{}, fmt.Errorf("%w: %q is not a JSON number", ErrBadNumber, s)
	}
	if strings.ContainsAny(s, ".eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsInf(f, 0) {
			return Number{}, fmt.Errorf("%w: %.40q is out of a double's range", ErrBadNumber, s)
		}
		return Number{lit: pyFloatRepr(f), float: true, f: f}, nil
	}
	digits := strings.TrimPrefix(s, "-")
	if len(digits) > maxIntDigits {
		return Number{}, fmt.Errorf("%w: an int of %d digits (Python's limit is %d)", ErrBadNumber, len(digits), maxIntDigits)
	}
	if digits == "0" {
		return Number{}, nil
	}
	return intNumber(s), nil
}

// isJSONNumber checks RFC 8259's number grammar.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || s[i] < '0' || s[i] > '9' {
			return false
		}
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	}
	return i == len(s)
}

// IsInt reports whether n is an int (not a float).
func (n Number) IsInt() bool { return !n.float }

// IsFloat reports whether n is a float.
func (n Number) IsFloat() bool { return n.float }

// String is the canonical text, as json.dumps writes it.
func (n Number) String() string {
	if n.lit == "" {
		return "0"
	}
	return n.lit
}

// Float64 is n's value as a double (an int too large for one becomes ±Inf).
func (n Number) Float64() float64 { return n.f }

// Uint64 returns an int that fits in a uint64.
func (n Number) Uint64() (uint64, bool) {
	if n.float {
		return 0, false
	}
	u, err := strconv.ParseUint(n.String(), 10, 64)
	return u, err == nil
}

// Big returns an int's value.
func (n Number) Big() (*big.Int, bool) {
	if n.float {
		return nil, false
	}
	b, ok := new(big.Int).SetString(n.String(), 10)
	return b, ok
}

// Sign is -1, 0 or +1. A float -0.0 has sign 0.
func (n Number) Sign() int {
	s := n.String()
	switch {
	case strings.HasPrefix(s, "-"):
		if n.float && n.Float64() == 0 {
			return 0
		}
		return -1
	case n.float && n.Float64() == 0, s == "0":
		return 0
	}
	return 1
}

// Equal reports whether n and m are the same value of the same kind (their
// JSON text is the same).
func (n Number) Equal(m Number) bool { return n.float == m.float && n.String() == m.String() }

// MarshalJSON writes the canonical text.
func (n Number) MarshalJSON() ([]byte, error) { return []byte(n.String()), nil }

// UnmarshalJSON parses a JSON number literal.
func (n *Number) UnmarshalJSON(b []byte) error {
	v, err := ParseNumber(strings.TrimSpace(string(b)))
	if err != nil {
		return err
	}
	*n = v
	return nil
}

// pyFloatRepr formats a finite f as Python's repr(float) does: the shortest
// digits that round-trip, in positional form with ".0" for integral values
// when the decimal exponent is in [-4, 16), and otherwise as d.ddde±XX.
func pyFloatRepr(f float64) string {
	if f == 0 {
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // -d.ddde±x
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	epos := strings.IndexByte(s, 'e')
	mant, exps := s[:epos], s[epos+1:]
	exp, _ := strconv.Atoi(exps)
	digits := strings.Replace(mant, ".", "", 1)
	decpt := exp + 1 // value = 0.digits × 10^decpt
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	switch {
	case decpt > 16 || decpt <= -4:
		b.WriteByte(digits[0])
		if len(digits) > 1 {
			b.WriteByte('.')
			b.WriteString(digits[1:])
		}
		b.WriteByte('e')
		if exp < 0 {
			b.WriteByte('-')
			exp = -exp
		} else {
			b.WriteByte('+')
		}
		if exp < 10 {
			b.WriteByte('0')
		}
		b.WriteString(strconv.Itoa(exp))
	case decpt <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -decpt))
		b.WriteString(digits)
	case decpt >= len(digits):
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", decpt-len(digits)))
		b.WriteString(".0")
	default:
		b.WriteString(digits[:decpt])
		b.WriteByte('.')
		b.WriteString(digits[decpt:])
	}
	return b.String()
}
