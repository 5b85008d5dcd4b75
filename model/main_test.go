package model

import (
	"flag"
	"os"
	"testing"
)

// TestMain bounds the fuzzer's minimization of each new input to 1000
// runs, unless -fuzzminimizetime says otherwise. Go's default, 60 s, is
// spent whole on an input of a few KB (the minimizer tries every cut), so
// the fuzzer stalled for a minute on each new input: a few executions a
// minute in all.
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.fuzzminimizetime" })
	if !set {
		flag.Set("test.fuzzminimizetime", "1000x")
	}
	os.Exit(m.Run())
}
