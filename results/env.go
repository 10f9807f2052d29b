package results

import (
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/klauspost/cpuid/v2"
)

// Version is powlab's version, set at build time with
// -ldflags "-X github.com/powlab/powlab/results.Version=…"; otherwise it is
// taken from the module's build info.
var Version = ""

// Commit is the VCS revision, set like Version or read from build info.
var Commit = ""

// Env is where a record was made.
type Env struct {
	CPU           string   `json:"cpu"`
	Vendor        string   `json:"vendor,omitempty"`
	Features      []string `json:"features"`
	LogicalCores  int      `json:"logical_cores"`
	PhysicalCores int      `json:"physical_cores,omitempty"`
	GOMAXPROCS    int      `json:"gomaxprocs"`
	OS            string   `json:"os"`
	Arch          string   `json:"arch"`
	GoVersion     string   `json:"go_version"`
	Powlab        string   `json:"powlab_version"`
	Commit        string   `json:"powlab_commit,omitempty"`
	Tags          string   `json:"build_tags,omitempty"`
	Hostname      string   `json:"hostname,omitempty"`
}

// SHAFeatures are the CPU features that matter to SHA-256 kernels, in the
// order powlab reports them.
var SHAFeatures = []struct {
	Name string
	ID   cpuid.FeatureID
}{
	{"SHA", cpuid.SHA},
	{"SSSE3", cpuid.SSSE3},
	{"SSE4.1", cpuid.SSE4},
	{"AVX", cpuid.AVX},
	{"AVX2", cpuid.AVX2},
	{"BMI2", cpuid.BMI2},
	{"AVX512F", cpuid.AVX512F},
	{"AVX512VL", cpuid.AVX512VL},
	{"AVX512BW", cpuid.AVX512BW},
}

// HasFeature reports whether the CPU (and OS) support the named feature from
// SHAFeatures.
func HasFeature(name string) bool {
	for _, f := range SHAFeatures {
		if f.Name == name {
			return cpuid.CPU.Supports(f.ID)
		}
	}
	return false
}

var (
	envOnce sync.Once
	envBase Env
)

// CaptureEnv describes this machine and build.
func CaptureEnv() Env {
	envOnce.Do(func() {
		e := Env{
			CPU:           strings.TrimSpace(cpuid.CPU.BrandName),
			Vendor:        cpuid.CPU.VendorString,
			LogicalCores:  runtime.NumCPU(),
			PhysicalCores: cpuid.CPU.PhysicalCores,
			OS:            runtime.GOOS,
			Arch:          runtime.GOARCH,
			GoVersion:     runtime.Version(),
		}
		if e.CPU == "" {
			e.CPU = "unknown CPU"
		}
		for _, f := range SHAFeatures {
			if cpuid.CPU.Supports(f.ID) {
				e.Features = append(e.Features, f.Name)
			}
		}
		if e.Features == nil {
			e.Features = []string{}
		}
		e.Powlab, e.Commit, e.Tags = buildVersion()
		e.Hostname, _ = os.Hostname()
		envBase = e
	})
	e := envBase
	e.Features = append([]string(nil), envBase.Features...)
	e.GOMAXPROCS = runtime.GOMAXPROCS(0)
	return e
}

// PowlabVersion is the version string reports print.
func PowlabVersion() string {
	v, c, _ := buildVersion()
	if c != "" {
		return v + " (" + c + ")"
	}
	return v
}

func buildVersion() (version, commit, tags string) {
	version, commit = Version, Commit
	if bi, ok := debug.ReadBuildInfo(); ok {
		if version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if commit == "" {
					commit = s.Value
				}
			case "-tags":
				tags = s.Value
			}
		}
	}
	if version == "" {
		version = "dev"
	}
	if len(commit) > 12 {
		commit = commit[:12]
	}
	return version, commit, tags
}
