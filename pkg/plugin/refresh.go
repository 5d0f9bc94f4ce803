package plugin

import (
	"context"
	"time"

	"github.com/apifw/monitor/pkg/collector"
)

// firstScanWait is the longest a request waits for the first scan after
// start (which the background poller runs) before answering with what is
// indexed so far: small archives answer exactly at once, a big one shows its
// progress instead of holding the request.
const firstScanWait = 10 * time.Second

// refresh brings the index up to date (collector.Refresh) and, while the
// first scan runs, waits for it up to firstScanWait or ctx's end.
func (d *Datasource) refresh(ctx context.Context) collector.Status {
	st := d.collector.Refresh()
	if st.FirstScan.Done || st.Error != "" {
		return st
	}
	deadline := time.NewTimer(firstScanWait)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return st
		case <-deadline.C:
			return st
		case <-tick.C:
			if st = d.collector.Refresh(); st.FirstScan.Done {
				return st
			}
		}
	}
}
