// Command apifw-gen writes realistic, deterministic firewall transaction logs in
// the FILES layout (<out>/<instance>/api-<uuid>.transaction.log) and, on request,
// the exact aggregates they contain (ground truth for tests and benchmarks).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	traffic "github.com/apifw/monitor/pkg/generate"
)

func main() {
	var (
		out       = flag.String("out", "", "output root directory (created if missing)")
		records   = flag.Int("records", 10000, "number of transactions to write")
		seed      = flag.Int64("seed", 1, "random seed: the same seed writes the same files")
		apis      = flag.Int("apis", 4, "number of protected APIs")
		instances = flag.Int("instances", 3, "number of firewall instances")
		span      = flag.Duration("span", 24*time.Hour, "time covered by the records, ending at -end")
		end       = flag.String("end", "", "time of the newest record (RFC 3339); default now")
		truth     = flag.String("truth", "", "write the ground truth as JSON to this file")
	)
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "apifw-gen: -out is required")
		os.Exit(2)
	}
	endTime := time.Now().UTC()
	if *end != "" {
		t, err := time.Parse(time.RFC3339, *end)
		if err != nil {
			fmt.Fprintf(os.Stderr, "apifw-gen: -end: %v\n", err)
			os.Exit(2)
		}
		endTime = t.UTC()
	}
	cfg := traffic.Config{Seed: *seed, APIs: *apis, Instances: *instances, Records: *records, Start: endTime.Add(-*span), End: endTime}
	gt, err := traffic.WriteFiles(*out, cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "apifw-gen: %v\n", err)
		os.Exit(1)
	}
	if *truth != "" {
		b, _ := json.MarshalIndent(gt, "", "  ")
		if err := os.WriteFile(*truth, append(b, '\n'), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "apifw-gen: %v\n", err)
			os.Exit(1)
		}
	}
	fmt.Printf("wrote %d transactions for %d APIs on %d instances under %s\n", gt.Total, *apis, *instances, *out)
}
