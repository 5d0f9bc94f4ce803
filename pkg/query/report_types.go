package query

// Report query types answer from audit, scan and SQG reports and the inventory
// (pkg/reports), not from transaction logs.
const (
	TypeAudit       Type = "audit"
	TypeAuditIssues Type = "auditIssues"
	TypeAuditTrend  Type = "auditTrend"
	TypeScan        Type = "scan"
	TypeScanTrend   Type = "scanTrend"
	TypeInventory   Type = "inventory"
)

// IsReportType says whether t is answered from reports.
func IsReportType(t Type) bool {
	switch t {
	case TypeAudit, TypeAuditIssues, TypeAuditTrend, TypeScan, TypeScanTrend, TypeInventory:
		return true
	}
	return false
}
