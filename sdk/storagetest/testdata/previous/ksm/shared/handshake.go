package shared

// BinaryPrefix is the file name prefix of every storage plugin executable.
const BinaryPrefix = "ksm-storage-"

// The go-plugin handshake every storage plugin and ksm agree on. The cookie
// only stops a plugin from being run by hand by mistake; it is not a secret.
const (
	// PluginName is the single plugin kind a storage plugin serves.
	PluginName       = "storage"
	MagicCookieKey   = "KSM_STORAGE_PLUGIN"
	MagicCookieValue = "b7f3c1e2-5d4a-4e8f-9c61-storage-v1"
)

// EnvLogLevel is the variable that tells a plugin its log level (trace,
// debug, info, warn, error); ksm sets it on every launch.
const EnvLogLevel = "KSM_PLUGIN_LOG_LEVEL"
