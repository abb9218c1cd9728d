// Command skim is a SQL-rewriting proxy for Trino and BigQuery. This binary
// holds its subcommands; see `skim help`.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
