// Command helloplugin is the hello-world with go-plugin linked in and
// unused: the floor for any process that can host or serve a plugin, since
// the packages go-plugin brings (gRPC, protobuf and their registries) all
// initialise at start-up whether a plugin runs or not.
package main

import (
	"os"

	_ "github.com/hashicorp/go-plugin"
)

func main() {
	os.Stdout.WriteString("hello, world\n")
}
