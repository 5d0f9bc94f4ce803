package ingest

import (
	"regexp"
	"strings"
)

// FileKind says what a file in an instance folder holds.
type FileKind int

const (
	KindOther               FileKind = iota
	KindTransactions                 // api-<uuid>.transaction.log (and rotated copies)
	KindUnknownTransactions          // api-unknown.transaction.log: traffic that matched no API
	KindAccessLog                    // vh-<uid>.access.log
	KindErrorLog                     // error.log, vh-<uid>.error.log
)

func (k FileKind) String() string {
	switch k {
	case KindTransactions:
		return "transactions"
	case KindUnknownTransactions:
		return "unknown-transactions"
	case KindAccessLog:
		return "access"
	case KindErrorLog:
		return "error"
	}
	return "other"
}

// transactionFileName matches the firewall's transaction log names with the
// rotation decorations seen or expected in the wild: a prefix such as "old.",
// numeric or date suffixes ("….transaction.log.1", "….transaction.log-20240221")
// and a final ".gz".
var transactionFileName = regexp.MustCompile(`^(?:[A-Za-z0-9_-]+\.)?api-([A-Za-z0-9-]+)\.transaction\.log(?:[.-][A-Za-z0-9_-]+)*?(\.gz)?$`)

// ClassifyFileName tells the kind of a file from its base name and, for
// transaction files, the API id it names ("unknown" for unmatched traffic).
func ClassifyFileName(name string) (kind FileKind, apiID string) {
	if m := transactionFileName.FindStringSubmatch(name); m != nil {
		if m[1] == "unknown" {
			return KindUnknownTransactions, ""
		}
		return KindTransactions, m[1]
	}
	switch {
	case strings.HasSuffix(name, ".access.log") || strings.Contains(name, ".access.log."):
		return KindAccessLog, ""
	case name == "error.log" || strings.HasSuffix(name, ".error.log") || strings.Contains(name, ".error.log."):
		return KindErrorLog, ""
	}
	return KindOther, ""
}

// IsGzip says whether a transaction file is a gzip archive, by name.
func IsGzip(name string) bool { return strings.HasSuffix(name, ".gz") }
