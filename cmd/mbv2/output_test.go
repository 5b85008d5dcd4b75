package main

import (
	"bytes"
	"encoding/csv"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestClassifyFormats(t *testing.T) {
	dir := t.TempDir()
	a := writePNG(t, dir, "a.png", 20, 20)
	b := writePNG(t, dir, "b,\"quoted\".png", 30, 20) // a comma and quotes for CSV
	c := writePNG(t, dir, "tab\there.png", 20, 30)    // a tab for TSV
	missing := filepath.Join(dir, "missing.png")
	inputs := []string{a, b, missing, c}

	for _, k := range []int{1, 3} {
		// The JSON output is the reference for the others.
		_, stdout, _ := runCmd(t, nil, append([]string{"classify", "-m", tinyModelPath, "--json", "-k", strconv.Itoa(k)}, inputs...)...)
		want := records(t, stdout)
		if len(want) != 4 || len(want[0].Top) != k || want[2].Error != "no such file" {
			t.Fatalf("-k %d: JSON records %+v", k, want)
		}

		for _, format := range []string{"csv", "tsv"} {
			code, stdout, stderr := runCmd(t, nil, append([]string{"classify", "-m", tinyModelPath, "--format", format, "-k", strconv.Itoa(k)}, inputs...)...)
			if code != exitFailure || stderr != "mbv2: "+missing+": no such file\n" {
				t.Errorf("%s: exit %d, stderr %q", format, code, stderr)
			}
			var rows [][]string
			if format == "csv" {
				var err error
				if rows, err = csv.NewReader(strings.NewReader(stdout)).ReadAll(); err != nil {
					t.Fatalf("csv: %v:\n%s", err, stdout)
				}
			} else {
				for _, l := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
					row := strings.Split(l, "\t")
					for i := range row {
						row[i] = strings.ReplaceAll(row[i], `\t`, "\t")
					}
					rows = append(rows, row)
				}
			}
			// The header, a row per rank of each good image, one for the missing one.
			if len(rows) != 1+3*k+1 || !slices.Equal(rows[0], tableHeader) {
				t.Fatalf("%s -k %d: %d rows:\n%s", format, k, len(rows), stdout)
			}
			rows = rows[1:]
			for _, r := range want {
				for i := range max(len(r.Top), 1) {
					row := rows[0]
					rows = rows[1:]
					wantRow := []string{r.File, "", "", "", "", r.Error}
					if r.Error == "" {
						p := r.Top[i]
						wantRow = []string{r.File, strconv.Itoa(i + 1), strconv.Itoa(p.Index), p.Label, strconv.FormatFloat(float64(p.Prob), 'g', -1, 32), ""}
					}
					if !slices.Equal(row, wantRow) {
						t.Errorf("%s: row %q, want %q", format, row, wantRow)
					}
				}
			}
		}
	}
}

func TestTextFormat(t *testing.T) {
	var b bytes.Buffer
	w := newRecordWriter(&b, formatText)
	w.header()
	w.write(&result{File: "a.jpg", Top: []prediction{{1, "cat", 0.75}, {0, "dog", 0.25}}})
	w.write(&result{File: "b.jpg", Error: "no such file"}) // on stderr only
	if want := "a.jpg\n  1  0.7500  cat\n  2  0.2500  dog\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestTSVEscape(t *testing.T) {
	var b bytes.Buffer
	w := newRecordWriter(&b, formatTSV)
	w.write(&result{File: "a\tb\\c\nd\re.jpg", Error: "x"})
	if want := "a\\tb\\\\c\\nd\\re.jpg\t\t\t\t\tx\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// failWriter fails every Write with err after n successful ones.
type failWriter struct {
	n   int
	err error
	bytes.Buffer
}

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n == 0 {
		return 0, w.err
	}
	w.n--
	return w.Buffer.Write(p)
}
