package root

import (
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVerbPackagesIndependent: a verb package (internal/*cmd) imports no
// other verb package; what verbs share lives in cmdutil or the library, and
// only root puts the verbs together.
func TestVerbPackagesIndependent(t *testing.T) {
	const internal = "github.com/powlab/powlab/cmd/powlab/internal/"
	entries, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, e := range entries {
		if !e.IsDir() || !strings.HasSuffix(e.Name(), "cmd") {
			continue
		}
		pkg, err := build.ImportDir(filepath.Join("..", e.Name()), 0)
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		checked++
		imports := append(append(append([]string{}, pkg.Imports...), pkg.TestImports...), pkg.XTestImports...)
		for _, imp := range imports {
			name, ok := strings.CutPrefix(imp, internal)
			if ok && strings.HasSuffix(name, "cmd") && name != e.Name() {
				t.Errorf("%s imports %s; share through cmdutil or the library instead", e.Name(), imp)
			}
		}
	}
	if checked < 5 {
		t.Fatalf("found only %d verb packages next to root", checked)
	}
}
