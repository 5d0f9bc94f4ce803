// Command apifw-gen writes realistic, deterministic firewall transaction logs
// in the FILES layout (<out>/<instance>/api-<uuid>.transaction.log) or as
// captured STDOUT (plain, Docker json-file or CRI), and on request the exact
// aggregates they contain (ground truth for tests and benchmarks). With
// -live it keeps appending at a rate, rotating and injecting garbage. With
// -reports it also writes audit, scan and SQG reports over time and an
// inventory for the same APIs (docs/reports.md).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	traffic "github.com/apifw/monitor/pkg/generate"
)

func main() {
	var (
		out        = flag.String("out", "", "output root directory (created if missing)")
		records    = flag.Int("records", 10000, "number of transactions to write (not with -live)")
		seed       = flag.Int64("seed", 1, "random seed: the same seed writes the same files")
		drawSeed   = flag.Int64("draw-seed", 0, "seed of the draws (times, clients, UUIDs) when not 0; -seed still names the APIs (for a -live run appending to the files of another run)")
		apis       = flag.Int("apis", 4, "number of protected APIs")
		instances  = flag.Int("instances", 3, "number of firewall instances")
		profile    = flag.String("profile", "demo", "cardinality profile: demo (few distinct paths, IPv4 clients) or realistic (ids in paths: ~250 k distinct paths per 1 M; heavy-tailed IPv4/IPv6 clients; per-API operation mixes)")
		public     = flag.Bool("public-clients", false, "demo profile: client addresses from public infrastructure networks in ten countries that geo databases resolve, instead of 10.x (what npm start and the browser tests use, so the geography panels show countries)")
		span       = flag.Duration("span", 24*time.Hour, "time covered by the records, ending at -end")
		end        = flag.String("end", "", "time of the newest record (RFC 3339); default now")
		truth      = flag.String("truth", "", "write the ground truth as JSON to this file")
		uuids      = flag.Bool("truth-uuids", false, "list every written UUID in the ground truth")
		layout     = flag.String("layout", "files", "files, stdout (plain console), docker (json-file) or cri")
		splitSize  = flag.Int("split-size", traffic.DefaultSplitSize, "STDOUT: split messages longer than this")
		longEvery  = flag.Int("long-every", 0, "STDOUT: make every n-th record longer than the split size")
		noise      = flag.Int("noise-every", 0, "STDOUT: an access/error line every n records")
		interlv    = flag.Bool("interleave", false, "STDOUT: interleave the chunks of split messages")
		live       = flag.Bool("live", false, "keep appending records timed now (until -duration or Ctrl-C)")
		rate       = flag.Float64("rate", 100, "-live: records per second")
		duration   = flag.Duration("duration", 0, "-live: stop after this long (0: until interrupted)")
		rotEvery   = flag.Int("rotate-every", 0, "-live: rotate the files every n records")
		rotMode    = flag.String("rotate-mode", "rename", "-live: rename, copytruncate or recreate")
		garbage    = flag.Int("garbage-every", 0, "-live: append a garbage line every n records")
		backfill   = flag.Duration("backfill", 0, "-live: first append this much past traffic at -rate (timed in the past), so the run starts with a baseline")
		bursts     = flag.Bool("bursts", false, "-live: inject attacks: a blocked-traffic spike on one API every -burst-every (for -spike-for at -spike-rate calls/s), an enumeration burst and, every other cycle, a 429 storm")
		burstEvery = flag.Duration("burst-every", traffic.DemoBursts.Every, "-live -bursts: length of one attack cycle")
		spikeFor   = flag.Duration("spike-for", traffic.DemoBursts.SpikeFor, "-live -bursts: length of each blocked-traffic spike")
		spikeRate  = flag.Float64("spike-rate", traffic.DemoBursts.SpikeRate, "-live -bursts: blocked calls per second during a spike")

		reportsDir   = flag.String("reports", "", "also write audit, scan and SQG reports and an inventory under this directory")
		reportAPIs   = flag.Int("report-apis", 0, "APIs with reports (default -apis + 1: one API has reports but no traffic)")
		reportSpan   = flag.Duration("report-span", 60*24*time.Hour, "time covered by the reports, ending at -end")
		reportsTruth = flag.String("reports-truth", "", "write the reports' ground truth as JSON to this file")
	)
	flag.Parse()
	if *out == "" && *reportsDir == "" {
		fail(2, "-out or -reports is required")
	}
	endTime := time.Now().UTC()
	if *end != "" {
		t, err := time.Parse(time.RFC3339, *end)
		if err != nil {
			fail(2, "-end: %v", err)
		}
		endTime = t.UTC()
	}
	if *reportsDir != "" {
		writeReports(*reportsDir, *reportsTruth, *seed, *apis, *reportAPIs, endTime.Add(-*reportSpan), endTime)
		if *out == "" {
			return
		}
	}
	prof, err := traffic.ParseProfile(*profile)
	if err != nil {
		fail(2, "-profile: %v", err)
	}
	cfg := traffic.Config{Seed: *seed, APIs: *apis, Instances: *instances, Records: *records,
		Start: endTime.Add(-*span), End: endTime, TrackUUIDs: *uuids, DrawSeed: *drawSeed, Profile: prof, PublicClients: *public}
	console := traffic.Console{SplitSize: *splitSize}

	var gt traffic.GroundTruth
	switch {
	case *live:
		gt, err = runLive(*out, traffic.LiveConfig{Config: cfg, Layout: traffic.Layout(*layout), Console: console,
			LongEvery: *longEvery, GarbageEvery: *garbage, RotateEvery: *rotEvery, RotateMode: traffic.RotateMode(*rotMode),
			Bursts: liveBursts(*bursts, *burstEvery, *spikeFor, *spikeRate)},
			*rate, *duration, *backfill)
	case *layout == string(traffic.LayoutFiles):
		gt, err = traffic.WriteFiles(*out, cfg)
	default:
		l := traffic.Layout(*layout)
		switch l {
		case traffic.LayoutStdout:
			console.Wrapper = traffic.WrapPlain
		case traffic.LayoutDocker:
			console.Wrapper = traffic.WrapDocker
		case traffic.LayoutCRI:
			console.Wrapper = traffic.WrapCRI
		default:
			fail(2, "-layout %q is not files, stdout, docker or cri", *layout)
		}
		gt, err = traffic.WriteStdout(traffic.StdoutPath(*out, l), traffic.StdoutConfig{Config: cfg, Console: console,
			LongEvery: *longEvery, NoiseEvery: *noise, Interleave: *interlv})
	}
	if err != nil {
		fail(1, "%v", err)
	}
	if !*uuids {
		gt.UUIDs = nil
	}
	if *truth != "" {
		b, _ := json.MarshalIndent(gt, "", "  ")
		if err := os.WriteFile(*truth, append(b, '\n'), 0o644); err != nil {
			fail(1, "%v", err)
		}
	}
	fmt.Printf("wrote %d transactions for %d APIs on %d instances under %s\n", gt.Total, *apis, *instances, *out)
}

func runLive(root string, cfg traffic.LiveConfig, rate float64, d, backfill time.Duration) (traffic.GroundTruth, error) {
	w, err := traffic.NewLive(root, cfg)
	if err != nil {
		return traffic.GroundTruth{}, err
	}
	if err := w.Backfill(backfill, rate); err != nil {
		return w.Truth(), err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if d > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	err = w.Run(ctx, rate)
	return w.Truth(), err
}

// liveBursts is the attack schedule of the flags (none without -bursts).
func liveBursts(on bool, every, spikeFor time.Duration, spikeRate float64) traffic.Bursts {
	if !on {
		return traffic.Bursts{}
	}
	b := traffic.DemoBursts
	b.Every, b.SpikeFor, b.SpikeRate = every, spikeFor, spikeRate
	if b.Every > 0 {
		// The other bursts keep their share of the cycle.
		scale := float64(b.Every) / float64(traffic.DemoBursts.Every)
		b.EnumFor = time.Duration(float64(b.EnumFor) * scale)
		b.StormFor = time.Duration(float64(b.StormFor) * scale)
	}
	return b
}

func fail(code int, format string, args ...any) {
	fmt.Fprintf(os.Stderr, "apifw-gen: "+format+"\n", args...)
	os.Exit(code)
}

// writeReports writes the reports for the first n APIs of the traffic's seed.
func writeReports(dir, truthFile string, seed int64, apis, n int, start, end time.Time) {
	if n == 0 {
		n = apis + 1
	}
	rt, err := traffic.WriteReports(dir, traffic.ReportsConfig{Seed: seed, APIs: n, Start: start, End: end})
	if err != nil {
		fail(1, "%v", err)
	}
	if truthFile != "" {
		b, _ := json.MarshalIndent(rt, "", "  ")
		if err := os.WriteFile(truthFile, append(b, '\n'), 0o644); err != nil {
			fail(1, "%v", err)
		}
	}
	fmt.Printf("wrote %d audits, %d scans and %d SQG results for %d APIs in %d files under %s\n",
		len(rt.Audits), len(rt.Scans), len(rt.SQGs), n, rt.Files, dir)
}
