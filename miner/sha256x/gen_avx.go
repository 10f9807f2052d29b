package sha256x

// The AVX-512 and AVX2 kernels are generated with avo from _asm/avx, one
// assembly file per instruction set.
//go:generate sh -c "cd _asm && go run ./avx -isa avx512 -out ../avx512_amd64.s -stubs ../avx512_stub_amd64.go -pkg sha256x"
//go:generate sh -c "cd _asm && go run ./avx -isa avx2 -out ../avx2_amd64.s -stubs ../avx2_stub_amd64.go -pkg sha256x"
