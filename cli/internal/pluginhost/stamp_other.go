//go:build !linux

package pluginhost

import "os"

// FileStamp is not kept off Linux: every launch hashes the plugin.
type FileStamp struct{}

func stampOf(os.FileInfo) *FileStamp { return nil }
