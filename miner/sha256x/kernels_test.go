package sha256x

// hexPrefixTarget is the masked target "the digest's hex starts with p".
func hexPrefixTarget(p string) Target {
	var mask, want [8]uint32
	for i := 0; i < len(p); i++ {
		c := p[i]
		var v uint32
		switch {
		case c >= '0' && c <= '9':
			v = uint32(c - '0')
		default:
			v = uint32(c-'a') + 10
		}
		word, sh := i/8, uint(28-4*(i%8))
		mask[word] |= 0xf << sh
		want[word] |= v << sh
	}
	return MaskedTarget(mask, want)
}
