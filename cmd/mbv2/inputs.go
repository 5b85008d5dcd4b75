package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// An input is one thing to classify, named as the user named it: an
// argument, a line of --files-from, or a file found under a directory.
type input struct {
	path  string
	stdin bool  // "-": the image is read from standard input
	found bool  // found under a directory: skipped unless its content is an image
	err   error // the input failed before it could be read
}

// inputLister enumerates the inputs in order: the arguments, then the lines
// of --files-from. It streams: it holds one directory listing at a time,
// never the whole list.
type inputLister struct {
	args      []string
	filesFrom string    // "" for none, "-" for stdin
	stdin     io.Reader // read by --files-from -
	nul       bool      // --files-from is NUL-separated
	recursive bool
	hidden    bool     // -r also lists names that start with "."
	exclude   []string // -r leaves out the names or paths these globs match
	shard     shard
	done      doneSet // --skip-done

	skippedDone int // inputs left out by --skip-done
}

// each calls emit for every input, in order, until emit returns false.
// The error is one that ends the listing: --files-from cannot be read.
func (l *inputLister) each(emit func(input) bool) error {
	for _, arg := range l.args {
		if !l.one(arg, true, emit) {
			return nil
		}
	}
	if l.filesFrom == "" {
		return nil
	}
	r := l.stdin
	if l.filesFrom != "-" {
		f, err := os.Open(l.filesFrom)
		if err != nil {
			return fmt.Errorf("--files-from %s: %w", l.filesFrom, readError(err))
		}
		defer f.Close()
		r = f
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), 1<<20) // paths are at most a few KiB
	if l.nul {
		sc.Split(scanNUL)
	}
	for sc.Scan() {
		// A line of the list is always a path: a file named "-" is not stdin.
		if path := sc.Text(); path != "" && !l.one(path, false, emit) {
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			err = errors.New("a line of more than 1 MiB: not a list of paths")
		}
		return fmt.Errorf("--files-from %s: %w", l.filesFrom, err)
	}
	return nil
}

// one lists the input named path: the path itself or, with -r and a
// directory, the files under it. Without -r the path is not even looked
// at here: the worker that reads it finds out what it is.
func (l *inputLister) one(path string, isArg bool, emit func(input) bool) bool {
	if isArg && path == "-" {
		return emit(input{path: path, stdin: true})
	}
	if !l.recursive {
		return !l.keep(path) || emit(input{path: path})
	}
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return !l.keep(path) || emit(input{path: path, err: readError(err)})
	case fi.IsDir():
		return l.walk(path, []dirInfo{{path, fi}}, emit)
	default:
		return !l.keep(path) || emit(input{path: path})
	}
}

// dirInfo is a directory on the way down from the one given, kept to
// recognise a symlink that leads back to it.
type dirInfo struct {
	path string
	fi   fs.FileInfo
}

// walk lists the files under dir, depth first in name order, following
// symlinks as find -L does. up holds dir and the directories above it.
func (l *inputLister) walk(dir string, up []dirInfo, emit func(input) bool) bool {
	fail := func(path string, err error) bool { return !l.keep(path) || emit(input{path: path, err: err}) }
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fail(dir, readError(err))
	}
	sep := string(filepath.Separator)
	if os.IsPathSeparator(dir[len(dir)-1]) {
		sep = ""
	}
	for _, e := range entries {
		path := dir + sep + e.Name() // not filepath.Join: it would clean "./photos" to "photos"
		rel := strings.TrimLeft(strings.TrimPrefix(path, up[0].path), string(filepath.Separator))
		if l.skip(e.Name(), rel) {
			continue
		}
		mode := e.Type()
		var fi fs.FileInfo
		if mode&fs.ModeSymlink != 0 || mode.IsDir() {
			if fi, err = os.Stat(path); err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					err = errors.New("broken symlink")
				}
				if !fail(path, readError(err)) {
					return false
				}
				continue
			}
			mode = fi.Mode().Type()
		}
		switch {
		case mode.IsDir():
			if i := loopsTo(up, fi); i >= 0 {
				if !fail(path, fmt.Errorf("symlink loop: leads back to %s", up[i].path)) {
					return false
				}
			} else if !l.walk(path, append(up, dirInfo{path, fi}), emit) {
				return false
			}
		case mode.IsRegular():
			if l.keep(path) && !emit(input{path: path, found: true}) {
				return false
			}
		}
		// Devices, pipes and sockets found under a directory are not photos.
	}
	return true
}

// skip says whether -r leaves out the file or directory name at rel, its
// path under the directory given: a hidden one (as fd and ripgrep do,
// unless --hidden), or one that an --exclude glob matches, by name or by
// rel.
func (l *inputLister) skip(name, rel string) bool {
	if !l.hidden && strings.HasPrefix(name, ".") {
		return true
	}
	for _, g := range l.exclude {
		if ok, _ := filepath.Match(g, name); ok {
			return true
		}
		if ok, _ := filepath.Match(g, rel); ok {
			return true
		}
	}
	return false
}

// loopsTo returns the index in up of the directory fi is, or -1.
func loopsTo(up []dirInfo, fi fs.FileInfo) int {
	for i, d := range up {
		if os.SameFile(d.fi, fi) {
			return i
		}
	}
	return -1
}

// keep says whether path is one of this run's inputs: in its --shard and
// not done already.
func (l *inputLister) keep(path string) bool {
	if !l.shard.has(path) {
		return false
	}
	if l.done.has(path) {
		l.skippedDone++
		return false
	}
	return true
}

// scanNUL splits at NUL bytes, for lists made by find -print0.
func scanNUL(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// sniffLen is enough of a file for imageio.Format: the longest magic
// number (WebP's, 15 bytes) with room to spare.
const sniffLen = 512

// A shard is the part i of n of the inputs that --shard I/N selects: those
// whose path's FNV-1a hash is i modulo n. The zero shard selects all.
type shard struct{ i, n uint64 }

func parseShard(s string) (shard, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.ParseUint(a, 10, 64)
	n, err2 := strconv.ParseUint(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || n == 0 || i >= n {
		return shard{}, fmt.Errorf("--shard %q: want I/N with 0 <= I < N, as 0/4", s)
	}
	return shard{i, n}, nil
}

func (s shard) has(path string) bool {
	if s.n <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(path))
	return h.Sum64()%s.n == s.i
}

// doneSet holds the inputs a previous run labelled. It keeps a 128-bit
// hash of each path, not the path: 16 bytes an input, and a collision is
// as likely as none matters (2^-64 over a billion paths).
type doneSet map[[16]byte]struct{}

func pathKey(path string) (k [16]byte) {
	h := fnv.New128a()
	h.Write([]byte(path))
	h.Sum(k[:0])
	return k
}

func (d doneSet) has(path string) bool {
	if d == nil {
		return false
	}
	_, ok := d[pathKey(path)]
	return ok
}

// readDone reads the JSON Lines a previous run wrote and returns the files
// it labelled; files with an error record are tried again. A line that is
// not a record, as the half line a killed run may leave, is passed over,
// but a file with no record at all is refused: it is likely the wrong file.
func readDone(path string) (doneSet, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		// The first run of "--skip-done out.jsonl >> out.jsonl": the
		// shell creates the file, unless it is written elsewhere.
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("--skip-done %s: %w", path, readError(err))
	}
	defer f.Close()
	done := doneSet{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20) // -k 0 --timing lines are long
	records, lines := 0, 0
	for sc.Scan() {
		lines++
		var rec struct {
			File      *string
			FileBytes []byte `json:"file_bytes"`
			Top       []json.RawMessage
			Error     string
		}
		if json.Unmarshal(sc.Bytes(), &rec) != nil || rec.File == nil {
			continue
		}
		records++
		if rec.FileBytes != nil {
			*rec.File = string(rec.FileBytes)
		}
		if rec.Error == "" && len(rec.Top) > 0 {
			done[pathKey(*rec.File)] = struct{}{}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--skip-done %s: %w", path, err)
	}
	if lines > 0 && records == 0 {
		return nil, fmt.Errorf("--skip-done %s: no JSON record of mbv2 classify --json in it", path)
	}
	return done, nil
}
