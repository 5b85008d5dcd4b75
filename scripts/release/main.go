// Command release packs a release of mbv2 from binaries and documents that
// scripts/release.sh has built: an archive for each platform, a multi-platform
// OCI image, and their SHA256SUMS, all the same bytes for the same inputs and
// $SOURCE_DATE_EPOCH. It also reads a file back out of that image, for CI.
//
// It is its own module so that go-containerregistry, which builds the image
// without a container daemon, stays out of mbv2's go.mod.
//
//	release pack -version V -src REPO -build DIR -out OUTDIR [-ca-certs FILE]
//	release extract IMAGE.tar OS/ARCH PATH > FILE
package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// platforms are those of the release; the image has the linux ones.
var platforms = []struct{ os, arch string }{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

// The image runs mbv2 as this user, not root, and keeps downloaded models
// in cacheDir, which the user owns.
const (
	uid      = 65532
	cacheDir = "/var/cache/mbv2"
)

func main() {
	var err error
	switch {
	case len(os.Args) > 1 && os.Args[1] == "pack":
		err = pack(os.Args[2:])
	case len(os.Args) == 5 && os.Args[1] == "extract":
		err = extract(os.Stdout, os.Args[2], os.Args[3], os.Args[4])
	default:
		err = errors.New("usage: release pack -version V -src REPO -build DIR -out OUTDIR | release extract IMAGE.tar OS/ARCH PATH")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

// file is an entry of an archive or of the image's layer: a directory when
// data is nil.
type file struct {
	name string // slash-separated, relative
	mode int64
	uid  int
	data []byte
}

func pack(args []string) error {
	fl := flag.NewFlagSet("pack", flag.ContinueOnError)
	version := fl.String("version", "", "the version, as stamped into the binaries")
	src := fl.String("src", ".", "the repository: LICENSE, README.md and the model's licence are read from it")
	build := fl.String("build", "", "the binaries, as OS_ARCH/mbv2[.exe], and docs/man, docs/completions")
	out := fl.String("out", "", "where to write the archives, the image and SHA256SUMS")
	caCerts := fl.String("ca-certs", "/etc/ssl/certs/ca-certificates.crt", "the CA certificates the image trusts (PEM)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *version == "" || *build == "" || *out == "" || fl.NArg() != 0 {
		return errors.New("pack needs -version, -build and -out")
	}
	date, err := sourceDate()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}

	// What every archive holds besides the binary: the licences (mbv2's, and
	// the notice of the model built into it), the README, man pages and
	// shell completions.
	var docs []file
	for _, name := range []string{"LICENSE", "README.md", "assets/mobilenet_v2_1.0_224_quant.NOTICE"} {
		b, err := os.ReadFile(filepath.Join(*src, name))
		if err != nil {
			return err
		}
		docs = append(docs, file{name: path.Base(name), mode: 0o644, data: b})
	}
	for _, dir := range []string{"man", "completions"} {
		fs, err := readDir(filepath.Join(*build, "docs", dir), dir)
		if err != nil {
			return err
		}
		docs = append(docs, fs...)
	}

	var outputs []string
	binaries := map[string][]byte{}
	for _, p := range platforms {
		exe := "mbv2"
		if p.os == "windows" {
			exe += ".exe"
		}
		bin, err := os.ReadFile(filepath.Join(*build, p.os+"_"+p.arch, exe))
		if err != nil {
			return err
		}
		binaries[p.os+"/"+p.arch] = bin
		base := fmt.Sprintf("mbv2_%s_%s_%s", *version, p.os, p.arch)
		files := append([]file{{name: exe, mode: 0o755, data: bin}}, docs...)
		name := base + ".tar.gz"
		write := writeTarGz
		if p.os == "windows" {
			name, write = base+".zip", writeZip
		}
		if err := writeFile(filepath.Join(*out, name), func(w io.Writer) error { return write(w, base, files, date) }); err != nil {
			return err
		}
		outputs = append(outputs, name)
	}

	certs, err := os.ReadFile(*caCerts)
	if err != nil {
		return fmt.Errorf("%w (on Debian: apt-get install ca-certificates)", err)
	}
	name := fmt.Sprintf("mbv2_%s_oci.tar", *version)
	if err := writeImage(filepath.Join(*out, name), *version, binaries, certs, docs[:3], date); err != nil {
		return fmt.Errorf("image: %w", err)
	}
	outputs = append(outputs, name)
	return writeSums(*out, outputs)
}

// sourceDate is $SOURCE_DATE_EPOCH, the time every file and the image carry.
func sourceDate() (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return time.Time{}, errors.New("SOURCE_DATE_EPOCH is not set")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH: %w", err)
	}
	return time.Unix(n, 0).UTC(), nil
}

// readDir returns the regular files of dir as entries under prefix.
func readDir(dir, prefix string) ([]file, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var files []file
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		files = append(files, file{name: prefix + "/" + e.Name(), mode: 0o644, data: b})
	}
	return files, nil
}

// withDirs returns files sorted by name, each under root (if not ""), with
// an entry for every directory, so that the order and the content of an
// archive depend on nothing but the files.
func withDirs(root string, files []file) []file {
	seen := map[string]bool{}
	var all []file
	for _, f := range files {
		if root != "" {
			f.name = root + "/" + f.name
		}
		for d := path.Dir(f.name); d != "." && d != "/" && !seen[d]; d = path.Dir(d) {
			seen[d] = true
			all = append(all, file{name: d, mode: 0o755})
		}
		if f.data == nil {
			if seen[f.name] {
				// An explicit directory entry replaces the implicit one.
				all = slices.DeleteFunc(all, func(g file) bool { return g.name == f.name })
			}
			seen[f.name] = true
		}
		all = append(all, f)
	}
	slices.SortFunc(all, func(a, b file) int { return strings.Compare(a.name, b.name) })
	return all
}

func writeTar(w io.Writer, files []file, date time.Time) error {
	tw := tar.NewWriter(w)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: f.mode, Uid: f.uid, Gid: f.uid, ModTime: date}
		if f.data == nil {
			h.Typeflag, h.Name = tar.TypeDir, f.name+"/"
		} else {
			h.Typeflag, h.Size = tar.TypeReg, int64(len(f.data))
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := tw.Write(f.data); err != nil {
			return err
		}
	}
	return tw.Close()
}

// writeTarGz writes the files under root/ as a gzipped tar. The gzip header
// has no name and no time.
func writeTarGz(w io.Writer, root string, files []file, date time.Time) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := writeTar(zw, withDirs(root, files), date); err != nil {
		return err
	}
	return zw.Close()
}

func writeZip(w io.Writer, root string, files []file, date time.Time) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestCompression)
	})
	for _, f := range withDirs(root, files) {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: date}
		mode := fs.FileMode(f.mode)
		if f.data == nil {
			h.Name += "/"
			h.Method = zip.Store
			mode |= fs.ModeDir
		}
		h.SetMode(mode)
		fw, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := fw.Write(f.data); err != nil {
			return err
		}
	}
	return zw.Close()
}

// writeFile writes path through write, or leaves no file.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

func writeSums(dir string, names []string) error {
	slices.Sort(names)
	var b strings.Builder
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(sum[:]), name)
	}
	return os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(b.String()), 0o644)
}

// writeImage writes the OCI image layout of mbv2 for linux/amd64 and
// linux/arm64 as a tar: from scratch, one layer holding the static binary,
// the CA certificates (for model downloads), a user and the licences. It
// also holds a docker-save manifest.json for the amd64 image, so that
// daemons that predate OCI layouts, and tools that read docker archives,
// load it as it is.
func writeImage(dst, version string, binaries map[string][]byte, certs []byte, licences []file, date time.Time) error {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	var amd64 v1.Image
	for _, p := range platforms {
		if p.os != "linux" {
			continue
		}
		img, err := platformImage(p.arch, version, binaries[p.os+"/"+p.arch], certs, licences, date)
		if err != nil {
			return err
		}
		if p.arch == "amd64" {
			amd64 = img
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: p.os, Architecture: p.arch}},
		})
	}
	dir, err := os.MkdirTemp("", "mbv2-oci-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		return err
	}
	// Two names for one index: mbv2:VERSION, and mbv2:latest for
	// 'docker run mbv2'. containerd (and so docker) reads the first
	// annotation, other tools the second.
	for _, tag := range []string{version, "latest"} {
		if err := lp.AppendIndex(idx, layout.WithAnnotations(map[string]string{
			"io.containerd.image.name":          "docker.io/library/mbv2:" + tag,
			"org.opencontainers.image.ref.name": tag,
		})); err != nil {
			return err
		}
	}
	// What was written, read back: digests, sizes, configs, platforms.
	if err := validateLayout(dir); err != nil {
		return err
	}
	files, err := readTree(dir)
	if err != nil {
		return err
	}
	manifest, err := dockerManifest(amd64, version)
	if err != nil {
		return err
	}
	files = append(files, file{name: "manifest.json", mode: 0o644, data: manifest})
	return writeFile(dst, func(w io.Writer) error { return writeTar(w, withDirs("", files), date) })
}

func platformImage(arch, version string, bin, certs []byte, licences []file, date time.Time) (v1.Image, error) {
	if bin == nil {
		return nil, fmt.Errorf("no linux/%s binary", arch)
	}
	files := []file{
		{name: "usr/local/bin/mbv2", mode: 0o755, data: bin},
		{name: "etc/ssl/certs/ca-certificates.crt", mode: 0o644, data: certs},
		{name: "etc/passwd", mode: 0o644, data: fmt.Appendf(nil, "root:x:0:0:root:/root:/sbin/nologin\nmbv2:x:%d:%d:mbv2:/home/mbv2:/sbin/nologin\n", uid, uid)},
		{name: "etc/group", mode: 0o644, data: fmt.Appendf(nil, "root:x:0:\nmbv2:x:%d:\n", uid)},
		{name: "home/mbv2", mode: 0o755, uid: uid},
		{name: strings.TrimPrefix(cacheDir, "/"), mode: 0o755, uid: uid},
		{name: "data", mode: 0o755},
		{name: "tmp", mode: 0o1777},
	}
	for _, l := range licences {
		l.name = "usr/share/doc/mbv2/" + l.name
		files = append(files, l)
	}
	var layerTar bytes.Buffer
	if err := writeTar(&layerTar, withDirs("", files), date); err != nil {
		return nil, err
	}
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layerTar.Bytes())), nil
	}, tarball.WithMediaType(types.OCILayer), tarball.WithCompressionLevel(gzip.BestCompression))
	if err != nil {
		return nil, err
	}

	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err = mutate.Append(img, mutate.Addendum{
		Layer:   layer,
		History: v1.History{Created: v1.Time{Time: date}, CreatedBy: "scripts/release.sh " + version},
	})
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", arch
	cfg.Created = v1.Time{Time: date}
	cfg.Config = v1.Config{
		Entrypoint: []string{"/usr/local/bin/mbv2"},
		Env:        []string{"PATH=/usr/local/bin", "MBV2_CACHE_DIR=" + cacheDir},
		User:       fmt.Sprintf("%d:%d", uid, uid), // numeric, so that Kubernetes' runAsNonRoot can check it
		WorkingDir: "/data",
		Labels: map[string]string{
			"org.opencontainers.image.title":    "mbv2",
			"org.opencontainers.image.version":  version,
			"org.opencontainers.image.licenses": "Apache-2.0",
			"org.opencontainers.image.source":   "https://github.com/mbv2/mbv2",
		},
	}
	return mutate.ConfigFile(img, cfg)
}

// readTree returns the regular files under dir, by slash-separated path.
func readTree(dir string) ([]file, error) {
	var files []file
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		files = append(files, file{name: filepath.ToSlash(rel), mode: 0o644, data: b})
		return err
	})
	return files, err
}

// dockerManifest is the manifest.json of 'docker save', naming img's
// config and layer among the layout's blobs.
func dockerManifest(img v1.Image, version string) ([]byte, error) {
	cfg, err := img.ConfigName()
	if err != nil {
		return nil, err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, l := range layers {
		d, err := l.Digest()
		if err != nil {
			return nil, err
		}
		paths = append(paths, "blobs/sha256/"+d.Hex)
	}
	return json.Marshal([]struct {
		Config   string
		RepoTags []string
		Layers   []string
	}{{"blobs/sha256/" + cfg.Hex, []string{"mbv2:" + version, "mbv2:latest"}, paths}})
}

// extract writes the file name (an absolute path) of the image of platform
// from the OCI layout tar src to w: what a container of that image would see.
func extract(w io.Writer, src, platform, name string) error {
	dir, err := os.MkdirTemp("", "mbv2-oci-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := untar(src, dir); err != nil {
		return err
	}
	if err := validateLayout(dir); err != nil {
		return err
	}
	idx, err := layoutIndex(dir)
	if err != nil {
		return err
	}
	want, err := v1.ParsePlatform(platform)
	if err != nil {
		return err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	for _, d := range m.Manifests {
		if d.Platform == nil || !d.Platform.Equals(*want) {
			continue
		}
		img, err := idx.Image(d.Digest)
		if err != nil {
			return err
		}
		fsys := mutate.Extract(img)
		defer fsys.Close()
		tr := tar.NewReader(fsys)
		for {
			h, err := tr.Next()
			if err == io.EOF {
				return fmt.Errorf("%s: no %s", platform, name)
			}
			if err != nil {
				return err
			}
			if path.Clean("/"+h.Name) == name {
				_, err = io.Copy(w, tr)
				return err
			}
		}
	}
	return fmt.Errorf("no image for %s", platform)
}

// layoutIndex returns the image index that the OCI layout in dir names
// first.
func layoutIndex(dir string) (v1.ImageIndex, error) {
	lp, err := layout.FromPath(dir)
	if err != nil {
		return nil, err
	}
	top, err := lp.ImageIndex()
	if err != nil {
		return nil, err
	}
	im, err := top.IndexManifest()
	if err != nil {
		return nil, err
	}
	if len(im.Manifests) == 0 {
		return nil, errors.New("empty image layout")
	}
	return top.ImageIndex(im.Manifests[0].Digest)
}

// validateLayout checks every index the layout in dir names.
func validateLayout(dir string) error {
	lp, err := layout.FromPath(dir)
	if err != nil {
		return err
	}
	top, err := lp.ImageIndex()
	if err != nil {
		return err
	}
	im, err := top.IndexManifest()
	if err != nil {
		return err
	}
	for _, d := range im.Manifests {
		idx, err := top.ImageIndex(d.Digest)
		if err != nil {
			return err
		}
		if err := validate.Index(idx); err != nil {
			return fmt.Errorf("%s: %w", d.Annotations["org.opencontainers.image.ref.name"], err)
		}
	}
	return nil
}

// untar unpacks the regular files of the tar src into dir.
func untar(src, dir string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if !filepath.IsLocal(h.Name) {
			return fmt.Errorf("%s: unsafe path %q", src, h.Name)
		}
		p := filepath.Join(dir, h.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := writeFile(p, func(w io.Writer) error { _, err := io.Copy(w, tr); return err }); err != nil {
			return err
		}
	}
}
