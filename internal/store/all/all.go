// Package all links every store implementation into the binary: importing
// it runs their registrations. cmd imports it; tests check it misses none.
package all

import (
	_ "github.com/flowsift/flowsift/internal/store/duckdb" // embedded DuckDB store
)
