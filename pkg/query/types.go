package query

import (
	"slices"
	"strings"
)

// Type names a query type. These names are stored in saved dashboards and
// alert rules: a public contract, never renamed.
type Type string

const (
	TypeTraffic      Type = "traffic"      // transactions over time
	TypeTopN         Type = "topN"         // top values of a dimension
	TypeStats        Type = "stats"        // one row of numbers
	TypeTransactions Type = "transactions" // matching transactions, newest first
	TypeTrace        Type = "trace"        // one transaction by uuid
	TypeInstances    Type = "instances"    // firewall instances
	TypeAudit        Type = "audit"        // latest audit per API
	TypeAuditIssues  Type = "auditIssues"  // audit issues, grouped
	TypeAuditTrend   Type = "auditTrend"   // audit scores over time
	TypeScan         Type = "scan"         // latest scan per API
	TypeScanTrend    Type = "scanTrend"    // scans over time
	TypeInventory    Type = "inventory"    // APIs, collections, teams, users
)

// Source is where a query type's answer comes from.
type Source string

const (
	// FromTransactions: the transaction logs (pkg/index), with every
	// transaction filter and the time range.
	FromTransactions Source = "transactions"
	// FromReports: audit, scan and SQG reports and the inventory
	// (pkg/reports), not transaction logs.
	FromReports Source = "reports"
)

// TypeSpec is one query type: its name and its source. The data source's
// handler for it is named in pkg/plugin's handler table, keyed by Name (a
// test there checks both tables list the same types).
type TypeSpec struct {
	Name   Type
	Source Source
}

// Types is every query type the engine runs, one line each: the one list
// Parse, IsTransactionType, IsReportType, the data source's dispatch and
// the TypeScript contract (src/shared/contract.json) derive from.
// To add a query type: a line here, its engine function, its line in
// pkg/plugin's handler table, and the TypeScript QUERY_TYPES entry.
var Types = []TypeSpec{
	{TypeTraffic, FromTransactions},
	{TypeTopN, FromTransactions},
	{TypeStats, FromTransactions},
	{TypeTransactions, FromTransactions},
	{TypeTrace, FromTransactions},
	{TypeInstances, FromTransactions},
	{TypeAudit, FromReports},
	{TypeAuditIssues, FromReports},
	{TypeAuditTrend, FromReports},
	{TypeScan, FromReports},
	{TypeScanTrend, FromReports},
	{TypeInventory, FromReports},
}

// LookupType finds a query type's spec.
func LookupType(t Type) (TypeSpec, bool) {
	i := slices.IndexFunc(Types, func(s TypeSpec) bool { return s.Name == t })
	if i < 0 {
		return TypeSpec{}, false
	}
	return Types[i], true
}

// IsTransactionType says whether t is answered from transaction logs.
func IsTransactionType(t Type) bool {
	s, ok := LookupType(t)
	return ok && s.Source == FromTransactions
}

// IsReportType says whether t is answered from reports.
func IsReportType(t Type) bool {
	s, ok := LookupType(t)
	return ok && s.Source == FromReports
}

// typeNames lists the query types for messages: "traffic, topN, …".
func typeNames() string {
	names := make([]string, len(Types))
	for i, s := range Types {
		names[i] = string(s.Name)
	}
	return strings.Join(names, ", ")
}
