package assets

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
)

// TestModels checks the catalogue is well formed: a typo here would only
// show up as a failed download on a user's machine.
func TestModels(t *testing.T) {
	ms := Models()
	if len(ms) == 0 {
		t.Fatal("empty catalogue")
	}
	hex := regexp.MustCompile(`^[0-9a-f]{64}$`)
	seen := map[string]bool{}
	for _, m := range ms {
		if m.Name == "" || seen[m.Name] {
			t.Errorf("%q: empty or duplicate name", m.Name)
		}
		seen[m.Name] = true
		if !strings.HasSuffix(m.File, ".tflite") || strings.ContainsAny(m.File, `/\`) {
			t.Errorf("%s: file %q: want a bare *.tflite name", m.Name, m.File)
		}
		if !strings.HasPrefix(m.URL, "https://") || !strings.HasSuffix(m.URL, "/"+m.File) {
			t.Errorf("%s: url %q: want https://.../%s", m.Name, m.URL, m.File)
		}
		if !hex.MatchString(m.SHA256) {
			t.Errorf("%s: sha256 %q: want 64 lowercase hex digits", m.Name, m.SHA256)
		}
		if m.Size <= 0 {
			t.Errorf("%s: size %d", m.Name, m.Size)
		}
		if m.Notes == "" || strings.Contains(m.Notes, "\n") {
			t.Errorf("%s: notes %q: want one line", m.Name, m.Notes)
		}
	}
	if !seen[DefaultModel()] {
		t.Errorf("default %q is not in the catalogue", DefaultModel())
	}
}

func TestModelsIsACopy(t *testing.T) {
	Models()[0].Name = "changed"
	if Models()[0].Name == "changed" {
		t.Error("Models() shares its backing array with the catalogue")
	}
}

// TestBuiltIn checks the embedded model is the catalogue's file, byte for
// byte, and that only catalogue models are built in.
func TestBuiltIn(t *testing.T) {
	if BuiltIn(DefaultModel()) == nil {
		t.Errorf("the default model %s is not built in", DefaultModel())
	}
	if BuiltIn("nope") != nil {
		t.Error(`BuiltIn("nope") != nil`)
	}
	for _, m := range Models() {
		data := BuiltIn(m.Name)
		if data == nil {
			continue
		}
		sum := sha256.Sum256(data)
		if int64(len(data)) != m.Size || hex.EncodeToString(sum[:]) != m.SHA256 {
			t.Errorf("built-in %s: %d bytes, sha256 %x; want %d bytes, %s", m.Name, len(data), sum, m.Size, m.SHA256)
		}
	}
}
