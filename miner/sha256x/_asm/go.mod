module github.com/powlab/powlab/miner/sha256x/_asm

go 1.26

require github.com/mmcloughlin/avo v0.5.0 // indirect
