//go:build !linux

package app

// hardenProcess: no per-process dump setting here.
func hardenProcess() {}
