package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/apifw/monitor/pkg/collector"
)

// maxHealthExamples is how many bad records the message names.
const maxHealthExamples = 3

// CheckHealth reports what the log roots hold, or what is wrong with them:
// every misconfiguration, the first scan's progress while it runs, and the
// bad records with the latest examples.
func (d *Datasource) CheckHealth(ctx context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	if d.settingsErr != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError,
			Message: "Invalid settings: " + strings.ReplaceAll(d.settingsErr.Error(), "\n", "; ") + "."}, nil
	}
	if d.vl != nil {
		return d.vlHealth(ctx), nil
	}
	if len(d.settings.LogRoots) == 0 {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError,
			Message: "No log root configured: add the directory where the firewalls write their transaction logs (FILES mode)."}, nil
	}
	st := d.refresh(ctx)
	details, _ := json.Marshal(st)

	var problems []string
	if st.Error != "" {
		problems = append(problems, st.Error)
	}
	if d.stateErr != nil {
		problems = append(problems, d.stateErr.Error())
	}
	instances, files := 0, 0
	for _, r := range st.Roots {
		if r.Error != "" {
			problems = append(problems, fmt.Sprintf("%s: %s", r.Path, r.Error))
			continue
		}
		switch {
		case r.TransactionFiles == 0 && r.StdoutFiles == 0 && r.ErrorLogFiles == 0 && r.ErrorLogsWithTransactions > 0:
			problems = append(problems, fmt.Sprintf("%s: no transaction files, but %d vhost error log(s) (vh-<uid>.error.log) hold transactions: "+
				"turn on \"Read transactions from vhost error logs\" (errorLogTransactions) to read them", r.Path, r.ErrorLogsWithTransactions))
		case r.TransactionFiles == 0 && r.StdoutFiles == 0 && r.ErrorLogFiles == 0 && st.FirstScan.Done:
			problems = append(problems, fmt.Sprintf("%s: no transaction logs found (expected <root>/<instance>/api-<uuid>.transaction.log)", r.Path))
		}
		instances += r.Instances
		files += r.TransactionFiles
	}
	found := fmt.Sprintf("%d instance folder(s), %d transaction file(s), %d record(s)", instances, files, st.Records)
	if n := errorLogFiles(st); n > 0 {
		found += fmt.Sprintf(", %d vhost error log(s) read for transactions", n)
	}
	if p := scanProgress(st); p != "" {
		found += ", " + p
	}
	if st.BadRecords > 0 {
		found += fmt.Sprintf(", %d bad record(s) skipped (latest: %s)", st.BadRecords, badExamples(st))
	}
	problems, found = d.reportHealth(problems, found)
	switch {
	case d.geoErr != nil:
		problems = append(problems, d.geoErr.Error())
	case d.geo != nil:
		found += "; geo database " + d.geo.Describe()
	}
	if len(problems) > 0 {
		return &backend.CheckHealthResult{
			Status:      backend.HealthStatusError,
			Message:     strings.Join(problems, "; ") + ". Found " + found + ".",
			JSONDetails: details,
		}, nil
	}
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk, Message: "Found " + found + ".", JSONDetails: details}, nil
}

// scanProgress: "indexing 42% (…)" while the first scan runs.
func scanProgress(st collector.Status) string {
	fs := st.FirstScan
	if fs.Done || fs.BytesTotal == 0 {
		return ""
	}
	return fmt.Sprintf("indexing: first scan %d%% done (%d of %d bytes)", fs.BytesRead*100/fs.BytesTotal, fs.BytesRead, fs.BytesTotal)
}

// badExamples names the latest bad records, newest first.
func badExamples(st collector.Status) string {
	var ex []string
	for i := len(st.BadExamples) - 1; i >= 0 && len(ex) < maxHealthExamples; i-- {
		b := st.BadExamples[i]
		ex = append(ex, fmt.Sprintf("%s line %d: %s", b.File, b.Line, b.Reason))
	}
	return strings.Join(ex, "; ")
}

// errorLogFiles counts the vhost error logs read for their transactions.
func errorLogFiles(st collector.Status) int {
	n := 0
	for _, r := range st.Roots {
		n += r.ErrorLogFiles
	}
	return n
}
