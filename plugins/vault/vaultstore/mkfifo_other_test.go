//go:build !unix

package vaultstore

import "errors"

func mkfifo(string) error { return errors.New("no FIFOs on this OS") }
