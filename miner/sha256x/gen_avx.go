package sha256x

// The AVX-512 and AVX2 kernels are generated with avo from _asm/avx.
//go:generate sh -c "cd _asm && go run ./avx -out ../avx_amd64.s -stubs ../avx_stub_amd64.go -pkg sha256x"
