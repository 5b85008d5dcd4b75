// Package shareddata finds, for tests, the models, photos and reference
// outputs that the repository does not hold.
package shareddata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir returns the directory of the shared models, photos and reference
// outputs: $MBV2_TESTDATA, or "shared" next to the module. When it is
// missing the test is skipped, loudly, except under CI, where it fails.
func Dir(t testing.TB) string {
	dir := os.Getenv("MBV2_TESTDATA")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "shared")
	}
	if _, err := os.Stat(filepath.Join(dir, "reference", "expected.json")); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared test data not found at %s (set MBV2_TESTDATA): %v", dir, err)
		}
		t.Skipf("SKIPPED: shared test data not found at %s (set MBV2_TESTDATA)", dir)
	}
	return dir
}
