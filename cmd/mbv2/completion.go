package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/mbv2/mbv2/assets"
	"github.com/mbv2/mbv2/kernels"
	"github.com/mbv2/mbv2/model"
	"github.com/mbv2/mbv2/model/imageio"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// completeFunc completes the value of a flag or an argument for the shell.
type completeFunc = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective)

// flagValues completes each flag with fixed values, by its name, in every
// command that has it: a new such flag gets its line here.
func flagValues() map[string]completeFunc {
	kernelSets := append([]string{"auto"}, kernels.Names()...)
	return map[string]completeFunc{
		"model":     completeModel,
		"format":    fixed(formatNames[:]...),
		"resize":    fixed(imageio.ResizeNames()...),
		"decode":    fixed(imageio.DecodeNames()...),
		"precision": fixed(string(model.Int8), string(model.Float32)),
		"kernels":   fixed(kernelSets...),
		"compare":   commaList(kernels.Names()),
	}
}

// registerCompletions gives every flag of flagValues, in root and its
// subcommands, its completion, and 'model fetch' the model names.
func registerCompletions(root *cobra.Command) {
	values := flagValues()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if complete, ok := values[f.Name]; ok {
				c.RegisterFlagCompletionFunc(f.Name, complete)
			}
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if fetch, _, err := root.Find([]string{"model", "fetch"}); err == nil {
		fetch.ValidArgsFunction = func(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			return modelNames(), cobra.ShellCompDirectiveNoFileComp
		}
	}
}

func fixed(values ...string) completeFunc {
	return cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
}

// commaList completes the last item of a comma-separated list.
func commaList(values []string) completeFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		head := toComplete[:strings.LastIndex(toComplete, ",")+1]
		var out []string
		for _, v := range values {
			out = append(out, head+v)
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

func modelNames() []string {
	var names []string
	for _, m := range assets.Models() {
		names = append(names, m.Name)
	}
	return names
}

// completeModel offers the catalogue's names, and the .tflite files and
// the directories that start with what is typed (the shells' own file
// completion cannot be mixed with names).
func completeModel(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	out := modelNames()
	matches, _ := filepath.Glob(globEscape(toComplete) + "*")
	dirs := false
	for _, p := range matches {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			out = append(out, p+string(filepath.Separator))
			dirs = true
		} else if strings.HasSuffix(p, ".tflite") {
			out = append(out, p)
		}
	}
	d := cobra.ShellCompDirectiveNoFileComp
	if dirs {
		d |= cobra.ShellCompDirectiveNoSpace // to go on into the directory
	}
	return out, d
}

// globEscape quotes the glob metacharacters of a typed prefix.
func globEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "?", `\?`, "[", `\[`).Replace(s)
}
