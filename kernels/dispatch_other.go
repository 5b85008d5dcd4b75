//go:build (!amd64 && !arm64) || noasm

package kernels

var archImpls []impl
