package api

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
)

// writeJSON answers with a JSON body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeMessage answers with Grafana's error/message body: {"message": "…"}
// (pkg/api/response/response.go, Error and Success).
func writeMessage(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]any{"message": message})
}

// readJSON decodes a request body of at most 16 MiB.
func readJSON(r *http.Request, out any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

var slugInvalid = regexp.MustCompile(`[^a-z0-9]+`)

// slugify makes a dashboard URL slug as Grafana's slugify does for ASCII
// titles (pkg/infra/slugify): lower case, runs of other characters become
// one dash, no dashes at the ends.
func slugify(s string) string {
	return strings.Trim(slugInvalid.ReplaceAllString(strings.ToLower(s), "-"), "-")
}
