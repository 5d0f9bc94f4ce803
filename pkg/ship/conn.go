package ship

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Conn is an HTTP connection to VictoriaLogs: base URL, tenant, auth, TLS.
type Conn struct {
	URL       string // base URL of the insert or select node
	AccountID string // tenant; "" is 0
	ProjectID string
	Username  string
	Password  string
	Bearer    string
	Client    *http.Client
}

// TLSOptions configure HTTPS to VictoriaLogs.
type TLSOptions struct {
	CAFile             string `json:"tlsCaFile,omitempty"`
	CertFile           string `json:"tlsCertFile,omitempty"`
	KeyFile            string `json:"tlsKeyFile,omitempty"`
	ServerName         string `json:"tlsServerName,omitempty"`
	InsecureSkipVerify bool   `json:"tlsSkipVerify,omitempty"`
	CAPEM              string `json:"-"` // CA certificates as PEM text (the data source's secure settings)
}

// HTTPClient returns a client for these TLS options and timeout.
func (o TLSOptions) HTTPClient(timeout time.Duration) (*http.Client, error) {
	tc := &tls.Config{ServerName: o.ServerName, InsecureSkipVerify: o.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("TLS CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TLS CA %s: no certificate found", o.CAFile)
		}
		tc.RootCAs = pool
	}
	if o.CAPEM != "" {
		if tc.RootCAs == nil {
			tc.RootCAs = x509.NewCertPool()
		}
		if !tc.RootCAs.AppendCertsFromPEM([]byte(o.CAPEM)) {
			return nil, fmt.Errorf("TLS CA: no certificate in the PEM text")
		}
	}
	if o.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(o.CertFile, o.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("TLS client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = tc
	tr.MaxIdleConnsPerHost = 8
	return &http.Client{Transport: tr, Timeout: timeout}, nil
}

// Error is an HTTP error answered by VictoriaLogs.
type Error struct {
	Status int
	Body   string
}

func (e *Error) Error() string {
	return fmt.Sprintf("VictoriaLogs answered HTTP %d: %s", e.Status, strings.TrimSpace(e.Body))
}

// Do sends a request with the tenant and auth headers; non-2xx is an *Error.
func (c *Conn) Do(ctx context.Context, method, path string, body io.Reader, contentType string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.URL, "/")+path, body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.AccountID != "" {
		req.Header.Set("AccountID", c.AccountID)
	}
	if c.ProjectID != "" {
		req.Header.Set("ProjectID", c.ProjectID)
	}
	switch {
	case c.Bearer != "":
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	case c.Username != "":
		req.SetBasicAuth(c.Username, c.Password)
	}
	cl := c.Client
	if cl == nil {
		cl = http.DefaultClient
	}
	resp, err := cl.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		resp.Body.Close()
		return nil, &Error{resp.StatusCode, string(b)}
	}
	return resp, nil
}

// Query runs a LogsQL query over [start, end) (zero: open) and calls fn for
// each result row. Partial answers are never asked for: a storage node down
// is an error, not a silently smaller count.
func (c *Conn) Query(ctx context.Context, q string, start, end time.Time, fn func(map[string]string) error) error {
	return c.QueryWith(ctx, q, "", start, end, fn)
}

// QueryWith is Query with a LogsQL filter sent as VictoriaLogs'
// extra_filters parameter ("" none), which every record must pass too:
// unlike the query text it is not bounded by -search.maxQueryLen.
func (c *Conn) QueryWith(ctx context.Context, q, extraFilters string, start, end time.Time, fn func(map[string]string) error) error {
	form := url.Values{"query": {q}}
	if extraFilters != "" {
		form.Set("extra_filters", extraFilters)
	}
	if !start.IsZero() {
		form.Set("start", start.UTC().Format(time.RFC3339Nano))
	}
	if !end.IsZero() {
		// VictoriaLogs' end is inclusive; the query model's is not.
		form.Set("end", end.Add(-time.Nanosecond).UTC().Format(time.RFC3339Nano))
	}
	resp, err := c.Do(ctx, http.MethodPost, "/select/logsql/query", strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		row := map[string]string{}
		if err := json.Unmarshal(line, &row); err != nil {
			return fmt.Errorf("VictoriaLogs answer: %w", err)
		}
		if err := fn(row); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("VictoriaLogs answer cut short (a node failed mid-query?): %w", err)
	}
	return nil
}

// Quote quotes a LogsQL string literal.
func Quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
