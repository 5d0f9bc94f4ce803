package model

import "time"

// Severity is an issue's criticality on the vendor's scale: 1 info … 5
// critical. SeverityNone (0) is what reports write when they rate nothing
// ("none" counters, scan criticality 0) or when the format has no rating.
type Severity uint8

const (
	SeverityNone Severity = iota
	SeverityInfo
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

// Severities lists the severities from the most to the least severe: the
// order of severity columns and rows in query results.
var Severities = []Severity{SeverityCritical, SeverityHigh, SeverityMedium, SeverityLow, SeverityInfo, SeverityNone}

// String returns the stable query-model name of the severity.
func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityLow:
		return "low"
	case SeverityMedium:
		return "medium"
	case SeverityHigh:
		return "high"
	case SeverityCritical:
		return "critical"
	}
	return "none"
}

// SeverityFromCriticality maps a report's criticality number (1–5) to a
// Severity; anything else is SeverityNone.
func SeverityFromCriticality(c int) Severity {
	if c >= 1 && c <= 5 {
		return Severity(c)
	}
	return SeverityNone
}

// SeverityCounts counts issues by severity, indexed by Severity.
type SeverityCounts [6]int

// Total is the number of issues of every severity.
func (c SeverityCounts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// Add returns the element-wise sum.
func (c SeverityCounts) Add(o SeverityCounts) SeverityCounts {
	for i := range c {
		c[i] += o[i]
	}
	return c
}

// Report formats, as recorded in ReportOrigin.Format.
const (
	FormatAudit        = "audit"         // security audit report (REST), raw or enveloped
	FormatAuditGraphQL = "audit-graphql" // GraphQL audit report from the CLI
	FormatSARIFAudit   = "sarif-audit"   // SARIF 2.1.0 from an audit
	FormatSARIFScan    = "sarif-scan"    // SARIF 2.1.0 from a conformance scan
	FormatScan2        = "scan-2"        // conformance scan report 2.x
	FormatScan3        = "scan-3"        // conformance scan report 3.x (scan v2)
	FormatSQG          = "sqg"           // the platform's SQG compliance result
	FormatCIReport     = "ci-report"     // the audit CI integration's JSON report (SQG per file)
)

// How a report's date and API were found, as recorded in ReportOrigin.
const (
	FromReport    = "report"    // inside the report (or its envelope)
	FromFileName  = "fileName"  // the file-name convention
	FromFileTime  = "fileTime"  // the file's modification time (dates only)
	FromInventory = "inventory" // an inventory API's match patterns
	FromAPIName   = "apiName"   // the report's API name equals an inventory API's name
	// FromUnmapped: nothing placed the report; it is shown under an API of
	// its own, named from what it carries (UnmappedAPIPrefix + its key).
	FromUnmapped = "unmapped"
)

// UnmappedAPIPrefix starts the id of the API an unmapped report is shown
// under: "unmapped:" + the audit's fileId, else the file's path relative to
// its report root (so reports of the same file, or the same fileId, form
// one history).
const UnmappedAPIPrefix = "unmapped:"

// ReportOrigin says where a report record came from and how it was placed.
type ReportOrigin struct {
	File      string // path of the file it was read from
	RelPath   string // the same path relative to its report root, slash-separated
	Format    string // one of the Format constants
	Version   string // the format's own version (assessmentReportVersion, scanReportVersion, SARIF version)
	Enveloped bool   // read from the platform envelope's data
	DateFrom  string // FromReport, FromFileName or FromFileTime
	MappedBy  string // FromReport, FromFileName, FromInventory, FromAPIName or FromUnmapped
	Digest    string // identifies the content, so copies of one report count once
}

// ReportRef is what every report record has: the API it is about and when.
type ReportRef struct {
	APIID        string    // the API's id (the UUID the firewall logs); empty until mapped
	APIName      string    // the API's name as the report gives it, if it does
	CollectionID string    // the collection the envelope names (cid), if any
	FileID       string    // the audit's fileId (the platform's id of the definition file), if any
	Time         time.Time // when the audit or scan ran; zero until dated
	Origin       ReportOrigin
	// OpenAPIFiles are definition file names the report mentions (SARIF
	// artifacts, CI report keys); inventory match patterns are tried on them.
	OpenAPIFiles []string
}

// AuditIssue is one issue id of an audit with its occurrences.
type AuditIssue struct {
	ID          string
	Description string
	Category    string // "data" or "security" for REST audits; the rule's category for SARIF; "" when unknown
	Subcategory string // when the format says (SARIF rule property "subcategory"); "" otherwise
	Severity    Severity
	Counts      SeverityCounts // occurrences by severity
	Score       float64        // the issue's score impact (negative or zero), when given
}

// SubgroupCounts is one audit sub-category counter (subgroupIssueCounter).
type SubgroupCounts struct {
	Category    string // "data" or "security"
	Subcategory string // e.g. authentication, schema
	Counts      SeverityCounts
}

// AuditReport is one security audit of an API definition.
type AuditReport struct {
	ReportRef
	Score         *float64 // 0–100 (GraphQL reports can go negative); nil when the format has none (SARIF)
	DataScore     *float64 // max 70
	SecurityScore *float64 // max 30
	Valid         *bool    // whether the definition is valid OpenAPI; nil when unknown
	OpenAPIState  string   // valid, fileInvalid, structureInvalid, semanticInvalid; "" when unknown
	OASVersion    string
	Criticality   int // highest criticality the report states
	Counts        SeverityCounts
	Issues        []AuditIssue
	Subgroups     []SubgroupCounts
	// OpenAPI conformance findings, outside the scored issues.
	Warnings, SemanticErrors, ValidationErrors int
	Paths, Operations                          int // from the summary, when given
}

// ScanIssue counts the failed test requests of one test key.
type ScanIssue struct {
	TestKey  string
	Severity Severity
	Count    int
}

// ScanReport is one conformance scan of a running API.
type ScanReport struct {
	ReportRef
	Start, End         time.Time
	State              string // as the report says: finished, success, apiUnreachable, …
	ExitCode           int
	Host               string
	Counts             SeverityCounts // issues by severity, as the report's summary counts them
	IssuesTotal        int            // the summary's issue total (may exceed Counts.Total() in 2.x reports that list every request)
	Requests           int            // test requests sent
	RequestsSucceeded  int            // answered as the contract says (2.x expected, 3.x correct)
	RequestsFailed     int            // everything else (2.x unexpected, 3.x mismatch, defective and errors)
	OperationsExecuted int
	OperationsFailed   int // operations whose happy path failed, so they were not tested
	Issues             []ScanIssue
}

// SQGResult is one security quality gate decision for an API.
type SQGResult struct {
	ReportRef
	Pass          bool
	Gates         []string // names of the gates applied
	BlockingGates []string // ids or names of the gates that blocked
	BlockingRules []string
	Failures      []string // the CI integration's failure messages
	Score         *float64 // the score the CI integration saw, if given
}

// Inventory lists what the reports do not say: collections, API ownership,
// tags, teams and users (docs/reports.md has the file format).
type Inventory struct {
	Collections []Collection
	Teams       []Team
	Users       []User
	APIs        []InventoryAPI
}

// Collection groups APIs.
type Collection struct {
	ID, Name, TechnicalName string
}

// Team owns APIs; Users holds user ids or names.
type Team struct {
	ID, Name string
	Users    []string
}

// User is a person; Teams holds team ids or names.
type User struct {
	ID, Name, Email string
	Teams           []string
}

// InventoryAPI is one API of the inventory.
type InventoryAPI struct {
	ID         string
	Name       string
	Collection string // collection id or name
	Team       string // owning team id or name
	Tags       []string
	// Match holds glob patterns of report files (relative to a report root)
	// or OpenAPI file names that belong to this API.
	Match []string
}
