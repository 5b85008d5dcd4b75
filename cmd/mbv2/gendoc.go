//go:build gendoc

// With -tags gendoc, 'mbv2 gendoc DIR' writes the man pages and the shell
// completions of this command tree into DIR/man and DIR/completions, and
// exits; scripts/release.sh puts them in the release archives. The tag keeps
// cobra/doc and its Markdown renderer out of the mbv2 binary.

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

func init() {
	if len(os.Args) != 3 || os.Args[1] != "gendoc" {
		return
	}
	if err := genDocs(os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "mbv2 gendoc:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// genDocs writes the pages dated $SOURCE_DATE_EPOCH (else 0), so that the
// same commit gives the same bytes.
func genDocs(dir string) error {
	epoch, err := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64)
	if os.Getenv("SOURCE_DATE_EPOCH") != "" && err != nil {
		return fmt.Errorf("SOURCE_DATE_EPOCH: %v", err)
	}
	date := time.Unix(epoch, 0).UTC()
	root := newRootCmd(&iostreams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	root.InitDefaultCompletionCmd()
	var noGenTag func(*cobra.Command)
	noGenTag = func(c *cobra.Command) {
		c.DisableAutoGenTag = true
		for _, sub := range c.Commands() {
			noGenTag(sub)
		}
	}
	noGenTag(root)

	man := filepath.Join(dir, "man")
	if err := os.MkdirAll(man, 0o755); err != nil {
		return err
	}
	header := &doc.GenManHeader{Title: "MBV2", Section: "1", Date: &date, Source: "mbv2 " + mbv2Version(), Manual: "mbv2 manual"}
	if err := doc.GenManTree(root, header, man); err != nil {
		return err
	}

	comp := filepath.Join(dir, "completions")
	if err := os.MkdirAll(comp, 0o755); err != nil {
		return err
	}
	for file, gen := range map[string]func(*bytes.Buffer) error{
		"mbv2.bash": func(b *bytes.Buffer) error { return root.GenBashCompletionV2(b, true) },
		"_mbv2":     func(b *bytes.Buffer) error { return root.GenZshCompletion(b) },
		"mbv2.fish": func(b *bytes.Buffer) error { return root.GenFishCompletion(b, true) },
		"mbv2.ps1":  func(b *bytes.Buffer) error { return root.GenPowerShellCompletionWithDesc(b) },
	} {
		var b bytes.Buffer
		if err := gen(&b); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(comp, file), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
