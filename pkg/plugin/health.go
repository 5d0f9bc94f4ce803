package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// CheckHealth reports what the log roots hold, or what is wrong with them.
func (d *Datasource) CheckHealth(_ context.Context, _ *backend.CheckHealthRequest) (*backend.CheckHealthResult, error) {
	if d.settingsErr != nil {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError, Message: d.settingsErr.Error()}, nil
	}
	if len(d.settings.LogRoots) == 0 {
		return &backend.CheckHealthResult{Status: backend.HealthStatusError,
			Message: "No log root configured: add the directory where the firewalls write their transaction logs (FILES mode)."}, nil
	}
	st := d.collector.Refresh()
	details, _ := json.Marshal(st)

	var problems []string
	instances, files := 0, 0
	for _, r := range st.Roots {
		if r.Error != "" {
			problems = append(problems, fmt.Sprintf("%s: %s", r.Path, r.Error))
			continue
		}
		if r.TransactionFiles == 0 {
			problems = append(problems, fmt.Sprintf("%s: no transaction logs found (expected <root>/<instance>/api-<uuid>.transaction.log)", r.Path))
		}
		instances += r.Instances
		files += r.TransactionFiles
	}
	found := fmt.Sprintf("%d instance folder(s), %d transaction file(s), %d record(s)", instances, files, st.Records)
	if st.BadRecords > 0 {
		found += fmt.Sprintf(", %d bad record(s) skipped (e.g. %s line %d: %s)",
			st.BadRecords, st.BadExamples[0].File, st.BadExamples[0].Line, st.BadExamples[0].Reason)
	}
	problems, found = d.reportHealth(problems, found)
	if len(problems) > 0 {
		return &backend.CheckHealthResult{
			Status:      backend.HealthStatusError,
			Message:     strings.Join(problems, "; ") + ". Found " + found + ".",
			JSONDetails: details,
		}, nil
	}
	return &backend.CheckHealthResult{Status: backend.HealthStatusOk, Message: "Found " + found + ".", JSONDetails: details}, nil
}
