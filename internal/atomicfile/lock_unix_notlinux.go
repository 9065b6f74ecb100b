//go:build unix && !linux

package atomicfile

import "os"

func lockHolder(*os.File) string { return "another process" }
