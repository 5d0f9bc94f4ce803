package alerting

import (
	"math"
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/apifw/monitor/pkg/host/alerting/expr"
)

func TestTemplateFunctions(t *testing.T) {
	td := TemplateData{
		Labels: TemplateLabels{"api": "pets", "instance": "fw-1.example.com:8080"},
		Values: map[string]TemplateValue{
			"A": {Labels: TemplateLabels{"api": "pets"}, Value: 0.31234},
			"B": {Value: 1234567},
			"N": {Value: math.NaN()},
		},
		Value: "[ var='B' labels={} value=1234567 ]",
	}
	cases := []struct{ tmpl, want string }{
		// Grafana's template docs (alerting-rules/templates/reference): $labels,
		// $values (printing as the value, or .Value / .Labels), $value.
		{"{{ $labels.api }}", "pets"},
		{"{{ $values.A }}", "0.31234"},
		{"{{ $values.A.Value }}", "0.31234"},
		{"{{ $values.A.Labels.api }}", "pets"},
		{"{{ $values.N }}", "NaN"},
		{"{{ $value }}", "[ var='B' labels={} value=1234567 ]"},
		{"{{ index $labels \"api\" }}", "pets"},
		// Missing keys print "[no value]" (state/template Expand).
		{"{{ $labels.missing }}", "[no value]"},
		// Prometheus' template functions; expected values as in
		// prometheus/template/template_test.go.
		{"{{ humanizePercentage $values.A.Value }}", "31.23%"},
		{"{{ humanizePercentage 0.1234567 }}", "12.35%"},
		{"{{ humanize 1234567.0 }}", "1.235M"},
		{"{{ humanize 0.0012 }}", "1.2m"},
		{"{{ humanize 0 }}", "0"},
		{"{{ humanize $values.B }}", "1.235M"},
		{"{{ humanize1024 1048576.0 }}", "1Mi"},
		{"{{ humanize1024 1 }}", "1"},
		{"{{ humanizeDuration 0 }}", "0s"},
		{"{{ humanizeDuration 1.5 }}", "1.5s"},
		{"{{ humanizeDuration 60.5 }}", "1m 0s"},
		{"{{ humanizeDuration 3661 }}", "1h 1m 1s"},
		{"{{ humanizeDuration 90061 }}", "1d 1h 1m 1s"},
		{"{{ humanizeDuration 0.001 }}", "1ms"},
		{"{{ humanizeDuration \"123.5\" }}", "2m 3s"},
		{"{{ toUpper $labels.api }}", "PETS"},
		{"{{ toLower \"ABC\" }}", "abc"},
		{"{{ title \"hello world\" }}", "Hello World"},
		{"{{ reReplaceAll \"f(.*)\" \"x$1\" \"foo\" }}", "xoo"},
		{"{{ if match \"^p\" $labels.api }}yes{{ end }}", "yes"},
		{"{{ with args 1 \"b\" }}{{ .arg0 }}{{ .arg1 }}{{ end }}", "1b"},
		{"{{ stripPort $labels.instance }}", "fw-1.example.com"},
		{"{{ stripDomain $labels.instance }}", "fw-1:8080"},
		{"{{ parseDuration \"1m\" }}", "60"},
	}
	for _, c := range cases {
		got, err := ExpandTemplate("t", c.tmpl, td, nil)
		if err != nil {
			t.Errorf("%s: %v", c.tmpl, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: got %q, want %q", c.tmpl, got, c.want)
		}
	}
}

func TestTemplateErrors(t *testing.T) {
	td := TemplateData{Labels: TemplateLabels{"api": "x"}}
	for _, tmpl := range []string{"{{ $labels.api ", "{{ humanize \"abc\" }}", "{{ nofunc 1 }}", "{{ reReplaceAll \"(\" \"\" \"x\" }}", "{{ query \"up\" }}"} {
		if _, err := ExpandTemplate("t", tmpl, td, nil); err == nil {
			t.Errorf("%s: want an error", tmpl)
		}
	}
	// On error the annotation keeps the template text, as Grafana's state
	// cache does ("Store the original template on error",
	// pkg/services/ngalert/state/cache.go); the other annotations expand.
	out, errs := expandAll("rule", map[string]string{"bad": "{{ humanize \"abc\" }}", "good": "{{ $labels.api }}"}, td, nil)
	if out["bad"] != "{{ humanize \"abc\" }}" || out["good"] != "x" || len(errs) != 1 {
		t.Fatalf("got %v, %v", out, errs)
	}
}

// The $value string and $values of a result: captures matched by labels
// (eval/captures.go), printed as "[ var='B' labels={instance=http_server}
// value=10 ]" (https://grafana.com/docs/grafana/v9.0/alerting/fundamentals/annotation-label/variables-label-annotation/,
// eval/extract_md.go extractEvalString).
func TestMatchCaptures(t *testing.T) {
	caps := []expr.Capture{
		{Var: "B", Labels: data.Labels{"instance": "http_server"}, Value: expr.F(10)},
		{Var: "B", Labels: data.Labels{"instance": "other"}, Value: expr.F(3)},
		{Var: "C", Labels: data.Labels{"instance": "http_server"}, Value: expr.F(1)},
		{Var: "S", Labels: nil, Value: expr.F(0.5)}, // no labels: a subset of every label set
		{Var: "W", Labels: data.Labels{"instance": "http_server", "job": "j"}, Value: nil},
	}
	vals, s := matchCaptures(caps, data.Labels{"instance": "http_server"})
	want := "[ var='B' labels={instance=http_server} value=10 ], [ var='C' labels={instance=http_server} value=1 ], [ var='S' labels={} value=0.5 ], [ var='W' labels={instance=http_server, job=j} value=null ]"
	if s != want {
		t.Fatalf("got  %s\nwant %s", s, want)
	}
	if len(vals) != 4 || *vals["B"].Value != 10 || vals["W"].Value != nil {
		t.Fatalf("values %+v", vals)
	}
	if !strings.Contains(s, "value=10") {
		t.Fatal("missing value")
	}
}
