//go:build !noasm

package kernels

// archImpls are the arm64 kernel sets, best last.
var archImpls []impl
