//go:build !noasm

package kernels

// archImpls are the amd64 kernel sets, best last.
var archImpls []impl
