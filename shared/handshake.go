package shared

import plugin "github.com/hashicorp/go-plugin"

// PluginName is the single plugin kind a storage plugin serves.
const PluginName = "storage"

// BinaryPrefix is the file name prefix of every storage plugin executable.
const BinaryPrefix = "ksm-storage-"

// Handshake is shared by ksm and every storage plugin. The cookie only
// stops a plugin from being run by hand by mistake; it is not a secret.
var Handshake = plugin.HandshakeConfig{
	ProtocolVersion:  ProtocolVersion,
	MagicCookieKey:   "KSM_STORAGE_PLUGIN",
	MagicCookieValue: "b7f3c1e2-5d4a-4e8f-9c61-storage-v1",
}
