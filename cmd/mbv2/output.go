package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// format is how results are written to stdout.
type format int

const (
	formatText format = iota
	formatJSON        // JSON Lines: one result object per image
	formatCSV         // a header, then one row per (image, rank)
	formatTSV         // as CSV, tab-separated, with \t \n \r \\ escaped
)

var formatNames = [...]string{formatText: "text", formatJSON: "json", formatCSV: "csv", formatTSV: "tsv"}

func parseFormat(s string) (format, error) {
	for f, name := range formatNames {
		if s == name {
			return format(f), nil
		}
	}
	return 0, fmt.Errorf("--format %q: choose %s", s, strings.Join(formatNames[:], ", "))
}

// tableHeader names the columns of CSV and TSV. An image that failed has
// one row with only file and error.
var tableHeader = []string{"file", "rank", "index", "label", "prob", "error"}

// recordWriter writes results to out, each result in one Write, so that a
// reader of a pipe, or a run that is stopped, never sees half a record.
type recordWriter struct {
	out    io.Writer
	format format
	buf    bytes.Buffer
	csv    *csv.Writer // into buf
}

func newRecordWriter(out io.Writer, f format) *recordWriter {
	w := &recordWriter{out: out, format: f}
	w.csv = csv.NewWriter(&w.buf)
	return w
}

// header writes the header row of the tables; nothing for the other formats.
func (w *recordWriter) header() error {
	w.buf.Reset()
	w.row(tableHeader...)
	return w.flush()
}

// write writes one result. In text an error writes nothing: it is on stderr.
func (w *recordWriter) write(res *result) error {
	w.buf.Reset()
	switch w.format {
	case formatText:
		if res.Error == "" {
			printText(&w.buf, res)
		}
	case formatJSON:
		if !utf8.ValidString(res.File) {
			res.FileBytes = []byte(res.File) // base64 in JSON
		}
		b, err := json.Marshal(res)
		if err != nil {
			return err
		}
		w.buf.Write(b)
		w.buf.WriteByte('\n')
	default:
		if res.Error != "" {
			w.row(res.File, "", "", "", "", res.Error)
		}
		for i, p := range res.Top {
			w.row(res.File, strconv.Itoa(i+1), strconv.Itoa(p.Index), p.Label,
				strconv.FormatFloat(float64(p.Prob), 'g', -1, 32), "")
		}
	}
	return w.flush()
}

func (w *recordWriter) row(fields ...string) {
	switch w.format {
	case formatCSV:
		w.csv.Write(fields) // into a bytes.Buffer: cannot fail
	case formatTSV:
		for i, f := range fields {
			if i > 0 {
				w.buf.WriteByte('\t')
			}
			tsvEscape.WriteString(&w.buf, f)
		}
		w.buf.WriteByte('\n')
	}
}

// tsvEscape escapes what a TSV field cannot hold, as PostgreSQL's and
// ClickHouse's TSV do.
var tsvEscape = strings.NewReplacer(`\`, `\\`, "\t", `\t`, "\n", `\n`, "\r", `\r`)

func (w *recordWriter) flush() error {
	w.csv.Flush()
	if w.buf.Len() == 0 {
		return nil
	}
	_, err := w.out.Write(w.buf.Bytes())
	return err
}

func printText(w io.Writer, res *result) {
	fmt.Fprintf(w, "%s\n", res.File)
	for i, p := range res.Top {
		fmt.Fprintf(w, "%3d  %.4f  %s\n", i+1, p.Prob, p.Label)
	}
}
