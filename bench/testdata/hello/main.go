// Command hello is the bench's floor for any Go process: the runtime
// starting, one write, and exit.
package main

import "os"

func main() {
	os.Stdout.WriteString("hello, world\n")
}
