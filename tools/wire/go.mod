// Builds google/wire, which generates the Grafana server's dependency-injection
// code, with an x/tools recent enough for the current Go release (wire's own
// pin, x/tools v0.17.0, no longer compiles).
module github.com/apifw/monitor/tools/wire

go 1.24

require (
	github.com/google/subcommands v1.2.0 // indirect
	github.com/google/wire v0.6.0 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	golang.org/x/mod v0.27.0 // indirect
	golang.org/x/sync v0.16.0 // indirect
	golang.org/x/tools v0.36.0 // indirect
)
