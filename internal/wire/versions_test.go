package wire

import (
	"testing"

	"github.com/ksm-cli/ksm/shared"
)

// ksm keeps speaking every protocol version it shipped: version 1 (what
// plugins built against the previous sdks speak) stays in the set that
// both the host and sdk.Serve offer, with the storage plugin in it, and
// the handshake's default version is one of them.
func TestVersionedPluginsKeepVersionOne(t *testing.T) {
	sets := VersionedPlugins(nil, nil)
	for _, v := range []int{1, shared.ProtocolVersion, int(Handshake.ProtocolVersion)} {
		set, ok := sets[v]
		if !ok {
			t.Fatalf("protocol version %d is not offered (offered: %v)", v, keys(sets))
		}
		if _, ok := set[shared.PluginName].(*StoragePlugin); !ok {
			t.Errorf("protocol version %d has no %q plugin", v, shared.PluginName)
		}
	}
}

func keys[V any](m map[int]V) []int {
	var ks []int
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
