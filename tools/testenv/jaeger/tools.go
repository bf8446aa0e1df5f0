//go:build tools

// Package tools pins the Jaeger command that tools/testenv builds with
// go build github.com/jaegertracing/jaeger/cmd/all-in-one (v1 all-in-one: collector,
// query and in-memory storage in one process).
package tools

import _ "github.com/jaegertracing/jaeger/cmd/all-in-one"
