package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/mbv2/mbv2/assets"
	"github.com/spf13/cobra"
)

func newModelCmd(io *iostreams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "model",
		Short: "List and download the known models",
		Long: `List and download the models of the catalogue built into mbv2.

The default model is built into mbv2 itself: it needs no download and no
cache. The others are downloaded on first use, checksum-verified. Models are cached in $MBV2_CACHE_DIR, or else in the user cache directory
under mbv2. $MBV2_MODEL_MIRROR, a directory or an http(s) base URL, replaces
the public host: a model is then read from <mirror>/<file>.`,
		Example: `  mbv2 model list
  mbv2 model fetch tf2_mobilenet_v2_1.0_224_ptq
  mbv2 model info -m mobilenet_v2_1.0_224_quant`,
		Args: usageArgs(cobra.NoArgs), // an unknown subcommand is a usage error
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(
		newModelFetchCmd(io),
		newModelListCmd(io),
		newModelInfoCmd(io),
	)
	return cmd
}

type modelFetchOptions struct {
	store *modelStore
	names []string
	all   bool
}

func newModelFetchCmd(io *iostreams) *cobra.Command {
	opts := &modelFetchOptions{}
	cmd := &cobra.Command{
		Use:   "fetch [NAME...]",
		Short: "Download models into the cache and print their paths",
		Long: `Download models into the cache, checking their size and sha256, and print
the path of each. Without a NAME, fetch the default model. A model already
cached is rehashed, and downloaded again if it is corrupt. A model built
into mbv2 is written from the binary, without a download: mbv2 itself never
needs that file, but other programs may.`,
		Example: `  mbv2 model fetch
  mbv2 model fetch tf2_mobilenet_v2_1.0_224_ptq mobilenet_v2_1.0_224_inat_bird_quant
  mbv2 model fetch --all
  MBV2_MODEL_MIRROR=https://mirror.example.com/mbv2 mbv2 model fetch --all`,
		RunE: interruptible(func(cmd *cobra.Command, args []string) error {
			opts.store = newModelStore(io)
			opts.names = args
			return runModelFetch(cmd.Context(), opts)
		}),
	}
	cmd.Flags().BoolVar(&opts.all, "all", false, "fetch every model of the catalogue")
	return cmd
}

// runModelFetch fetches each model, printing its path on Out or one error
// line on Err, and goes on with the next unless interrupted.
func runModelFetch(ctx context.Context, opts *modelFetchOptions) error {
	s := opts.store
	if opts.all && len(opts.names) > 0 {
		return usageError{fmt.Errorf("--all takes no model names")}
	}
	models := s.models
	if !opts.all {
		names := opts.names
		if len(names) == 0 {
			names = []string{s.defaultName}
		}
		models = nil
		for _, name := range names {
			m, ok := s.lookup(name)
			if !ok {
				return usageError{fmt.Errorf("unknown model %q (%s)", name, s.names())}
			}
			models = append(models, m)
		}
	}

	failed := false
	for _, m := range models {
		path, err := s.fetch(ctx, m)
		if err != nil {
			fmt.Fprintf(s.io.Err, "mbv2: %s\n", quoteControl(err.Error()))
			failed = true
			if ctx.Err() != nil {
				break
			}
			continue
		}
		fmt.Fprintln(s.io.Out, path)
	}
	if failed {
		return errReported
	}
	return nil
}

type modelListOptions struct {
	store  *modelStore
	asJSON bool
}

// modelListEntry is one row of 'model list', and one object of its --json.
type modelListEntry struct {
	assets.Model
	Default bool   `json:"default"`
	BuiltIn bool   `json:"builtin"` // in the binary: used from there, never from the cache
	Cached  bool   `json:"cached"`
	Path    string `json:"path"` // where the model is, or would be, cached
}

func newModelListCmd(io *iostreams) *cobra.Command {
	opts := &modelListOptions{}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the known models and whether they are built in or cached",
		Example: `  mbv2 model list
  mbv2 model list --json | jq -r '.[] | select(.cached) | .path'`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.store = newModelStore(io)
			return runModelList(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.asJSON, "json", false, "print a JSON array instead of a table")
	return cmd
}

func runModelList(opts *modelListOptions) error {
	s := opts.store
	dir, err := s.cacheDir()
	if err != nil {
		return err
	}
	entries := make([]modelListEntry, len(s.models))
	for i, m := range s.models {
		path := filepath.Join(dir, m.File)
		entries[i] = modelListEntry{Model: m, Default: m.Name == s.defaultName, BuiltIn: s.builtIn(m.Name) != nil,
			Cached: s.cached(m, path), Path: path}
	}

	if opts.asJSON {
		enc := json.NewEncoder(s.io.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(entries)
	}
	tw := tabwriter.NewWriter(s.io.Out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSIZE\tCACHED\tNOTES")
	for _, e := range entries {
		name, cached := e.Name, "no"
		if e.Default {
			name += " (default)"
		}
		switch {
		case e.BuiltIn:
			cached = "built in"
		case e.Cached:
			cached = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", name, formatBytes(e.Size), cached, e.Notes)
	}
	return tw.Flush()
}
