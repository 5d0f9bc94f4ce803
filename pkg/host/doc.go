// Package host is the plugin host: it runs this repository's built plugin
// (dist/) the way Grafana does, without any of Grafana's (AGPL) server code.
//
// Sub-packages, each with one job:
//
//   - catalog: finds the plugins in a dist/ tree (plugin.json, nested plugins)
//   - backendproc: starts and restarts a backend plugin binary over
//     go-plugin's gRPC protocol v2, as Grafana's grpcplugin client does
//   - provisioning: reads Grafana's provisioning files (data sources, apps,
//     dashboards) with Grafana's environment-variable expansion
//   - alerting: Grafana-managed alert rules: expressions, states, rule APIs
//   - api: the subset of Grafana's HTTP API the frontend, the tests and an
//     operator's curl use, with Grafana's paths, status codes and JSON
//
// What it reproduces of Grafana, with the source of each rule, and what it
// does not: docs/testing.md. Nothing under pkg/ outside pkg/host imports it.
package host
