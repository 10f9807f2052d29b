package searchcmd

import (
	"testing"

	"github.com/powlab/powlab/cmd/powlab/internal/cmdutil/cmdtest"
)

func TestFlagsToOptions(t *testing.T) {
	tests := []struct {
		name string
		argv []string
		want SearchOptions
	}{
		{"defaults", nil, SearchOptions{Step: 1, Kernel: "auto"}},
		{"tutorial", []string{"--last-proof", "100", "--prefix", "0000", "-w", "3"}, SearchOptions{LastProof: "100", Step: 1, Kernel: "auto", Workers: 3}},
		{"experiment", []string{"--step", "11", "--suffix", "000", "--json", "--any"}, SearchOptions{Step: 11, Kernel: "auto", JSON: true, Any: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := cmdtest.Options(NewCmdSearch, tc.argv)
			if err != nil {
				t.Fatal(err)
			}
			if got.LastProof != tc.want.LastProof || got.Step != tc.want.Step || got.Kernel != tc.want.Kernel ||
				got.Workers != tc.want.Workers || got.JSON != tc.want.JSON || got.Any != tc.want.Any {
				t.Fatalf("got %+v, want %+v", *got, tc.want)
			}
		})
	}
}
