//go:build mage
// +build mage

// Magefile for contributors who use mage (`mage -v build:linux`); the npm
// scripts build with plain `go build` (scripts/build-backend.sh) and need no mage.
package main

import (
	// mage:import
	build "github.com/grafana/grafana-plugin-sdk-go/build"
)

// The backend belongs to the nested data source: read its plugin.json and put
// the binary next to it in dist/datasource/.
func init() {
	_ = build.SetBeforeBuildCallback(func(cfg build.Config) (build.Config, error) {
		cfg.PluginJSONPath = "src/datasource"
		cfg.OutputBinaryPath = "dist/datasource"
		return cfg, nil
	})
}

// Default configures the default target.
var Default = build.BuildAll
