package alerting

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"math"
	"net"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"
	"time"

	"github.com/apifw/monitor/pkg/host/alerting/expr"
)

// TemplateLabels are an instance's labels in a template; printed as
// "k=v, k2=v2" in key order (Grafana's state/template Labels.String).
type TemplateLabels map[string]string

func (l TemplateLabels) String() string {
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + l[k]
	}
	return strings.Join(parts, ", ")
}

// TemplateValue is an entry of $values: the labels and value of a query or
// expression's number. It prints as its value, so {{ $values.B }} and
// {{ $values.B.Value }} both work
// (https://grafana.com/docs/grafana/latest/alerting/alerting-rules/templates/reference/;
// Grafana's templateCaptureValue.String uses strconv.FormatFloat(v, 'f', -1, 64)).
// A missing value (null) is NaN.
type TemplateValue struct {
	Labels TemplateLabels
	Value  float64
}

func (v TemplateValue) String() string { return strconv.FormatFloat(v.Value, 'f', -1, 64) }

// TemplateData is the data of an annotation or label template: .Labels,
// .Values and .Value, bound to $labels, $values and $value.
type TemplateData struct {
	Labels TemplateLabels
	Values map[string]TemplateValue
	Value  string
}

func newTemplateData(labels map[string]string, res Result) TemplateData {
	vals := make(map[string]TemplateValue, len(res.Values))
	for ref, c := range res.Values {
		f := math.NaN()
		if c.Value != nil {
			f = *c.Value
		}
		vals[ref] = TemplateValue{Labels: TemplateLabels(c.Labels), Value: f}
	}
	return TemplateData{Labels: TemplateLabels(labels), Values: vals, Value: res.EvaluationString}
}

// ExpandTemplate expands one annotation or label template as Grafana's
// pkg/services/ngalert/state/template Expand: the text is prefixed with
// {{- $labels := .Labels -}}{{- $values := .Values -}}{{- $value := .Value -}},
// missing keys print "[no value]" (missingkey=invalid, then "<no value>" is
// replaced), and Prometheus' template functions are available. An error (or
// a panic inside a function) is returned, never raised.
func ExpandTemplate(name, text string, data TemplateData, externalURL *url.URL) (result string, err error) {
	defer func() {
		if r := recover(); r != nil {
			result, err = "", fmt.Errorf("panic expanding template %s: %v", name, r)
		}
	}()
	full := "{{- $labels := .Labels -}}{{- $values := .Values -}}{{- $value := .Value -}}" + text
	tmpl, err := template.New("__alert_" + name).Option("missingkey=invalid").Funcs(templateFuncs(externalURL)).Parse(full)
	if err != nil {
		return "", fmt.Errorf("failed to expand template '%s': %w", full, err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, data); err != nil {
		return "", fmt.Errorf("failed to expand template '%s': %w", full, err)
	}
	return strings.ReplaceAll(b.String(), "<no value>", "[no value]"), nil
}

// expandAll expands a map of templates. On error the original template text
// is kept, as Grafana's state cache does ("Store the original template on
// error", pkg/services/ngalert/state/cache.go expandRuleLabelsAndAnnotations).
func expandAll(title string, in map[string]string, data TemplateData, externalURL *url.URL) (map[string]string, []error) {
	out := make(map[string]string, len(in))
	var errs []error
	for k, v := range in {
		r, err := ExpandTemplate(title, v, data, externalURL)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k, err))
			r = v
		}
		out[k] = r
	}
	return out, errs
}

// toFloat converts a template argument to a number like Prometheus'
// template convertToFloat (strings are parsed; a $values entry is its value).
func toFloat(i any) (float64, error) {
	switch v := i.(type) {
	case float64:
		return v, nil
	case float32:
		return float64(v), nil
	case int:
		return float64(v), nil
	case int64:
		return float64(v), nil
	case uint:
		return float64(v), nil
	case uint64:
		return float64(v), nil
	case string:
		return strconv.ParseFloat(v, 64)
	case time.Duration:
		return v.Seconds(), nil
	case TemplateValue:
		return v.Value, nil
	case *TemplateValue:
		return v.Value, nil
	case fmt.Stringer:
		return strconv.ParseFloat(v.String(), 64)
	}
	return 0, fmt.Errorf("can't convert %T to float", i)
}

// templateFuncs are the functions of annotation and label templates: those
// of Prometheus' template package that Grafana offers
// (https://grafana.com/docs/grafana/latest/alerting/alerting-rules/templates/reference/#functions)
// plus Grafana's graphLink, tableLink and strvalue. query and the functions
// on query results (first, label, value, sortByLabel) are not supported by
// Grafana either.
func templateFuncs(externalURL *url.URL) template.FuncMap {
	return template.FuncMap{
		"humanize": func(i any) (string, error) {
			v, err := toFloat(i)
			if err != nil {
				return "", err
			}
			return humanize(v), nil
		},
		"humanize1024": func(i any) (string, error) {
			v, err := toFloat(i)
			if err != nil {
				return "", err
			}
			if math.Abs(v) <= 1 || math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Sprintf("%.4g", v), nil
			}
			prefix := ""
			for _, p := range []string{"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"} {
				if math.Abs(v) < 1024 {
					break
				}
				prefix = p
				v /= 1024
			}
			return fmt.Sprintf("%.4g%s", v, prefix), nil
		},
		"humanizeDuration": func(i any) (string, error) {
			v, err := toFloat(i)
			if err != nil {
				return "", err
			}
			return humanizeDuration(v), nil
		},
		"humanizePercentage": func(i any) (string, error) {
			v, err := toFloat(i)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("%.4g%%", v*100), nil
		},
		"humanizeTimestamp": func(i any) (string, error) {
			v, err := toFloat(i)
			if err != nil {
				return "", err
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Sprintf("%.4g", v), nil
			}
			sec, frac := math.Modf(v)
			return time.Unix(int64(sec), int64(frac*1e9)).UTC().String(), nil
		},
		"toTime": func(i any) (time.Time, error) {
			v, err := toFloat(i)
			if err != nil {
				return time.Time{}, err
			}
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return time.Time{}, fmt.Errorf("cannot convert %v to Time", v)
			}
			sec, frac := math.Modf(v)
			return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
		},
		"parseDuration": func(s string) (float64, error) {
			d, err := expr.ParseDuration(s)
			if err != nil {
				return 0, err
			}
			return d.Seconds(), nil
		},
		"title":   strings.Title, //nolint:staticcheck // Prometheus' title: strings.Title semantics
		"toUpper": strings.ToUpper,
		"toLower": strings.ToLower,
		"match":   regexp.MatchString,
		"reReplaceAll": func(pattern, repl, text string) (string, error) {
			re, err := regexp.Compile(pattern)
			if err != nil {
				return "", err
			}
			return re.ReplaceAllString(text, repl), nil
		},
		"args": func(args ...any) map[string]any {
			out := map[string]any{}
			for i, a := range args {
				out[fmt.Sprintf("arg%d", i)] = a
			}
			return out
		},
		"safeHtml": func(s string) htmltemplate.HTML { return htmltemplate.HTML(s) },
		"stripPort": func(hostPort string) string {
			host, _, err := net.SplitHostPort(hostPort)
			if err != nil {
				return hostPort
			}
			return host
		},
		"stripDomain": func(hostPort string) string {
			host, port, err := net.SplitHostPort(hostPort)
			if err != nil {
				host = hostPort
			}
			if ip := net.ParseIP(host); ip != nil {
				return hostPort
			}
			host = strings.Split(host, ".")[0]
			if port != "" {
				return net.JoinHostPort(host, port)
			}
			return host
		},
		"externalURL": func() string {
			if externalURL == nil {
				return ""
			}
			return externalURL.String()
		},
		"pathPrefix": func() string {
			if externalURL == nil {
				return ""
			}
			return externalURL.Path
		},
		"graphLink": func(string) string { return "" },
		"tableLink": func(string) string { return "" },
		"strvalue":  func(any) string { return "" },
		"query": func(string) (any, error) {
			return nil, errors.New("query is not supported in Grafana-managed alert templates")
		},
	}
}

// humanize: Prometheus' humanize, SI prefixes and 4 significant digits.
func humanize(v float64) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Sprintf("%.4g", v)
	}
	if math.Abs(v) >= 1 {
		prefix := ""
		for _, p := range []string{"k", "M", "G", "T", "P", "E", "Z", "Y"} {
			if math.Abs(v) < 1000 {
				break
			}
			prefix = p
			v /= 1000
		}
		return fmt.Sprintf("%.4g%s", v, prefix)
	}
	prefix := ""
	for _, p := range []string{"m", "u", "n", "p", "f", "a", "z", "y"} {
		if math.Abs(v) >= 1 {
			break
		}
		prefix = p
		v *= 1000
	}
	return fmt.Sprintf("%.4g%s", v, prefix)
}

// humanizeDuration: Prometheus' humanizeDuration ("1d 2h 3m 4s", "1.5s",
// "10ms").
func humanizeDuration(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Sprintf("%.4g", v)
	}
	if v == 0 {
		return fmt.Sprintf("%.4gs", v)
	}
	if math.Abs(v) >= 1 {
		sign := ""
		if v < 0 {
			sign, v = "-", -v
		}
		d := int64(v)
		seconds, minutes, hours, days := d%60, (d/60)%60, (d/3600)%24, d/86400
		switch {
		case days != 0:
			return fmt.Sprintf("%s%dd %dh %dm %ds", sign, days, hours, minutes, seconds)
		case hours != 0:
			return fmt.Sprintf("%s%dh %dm %ds", sign, hours, minutes, seconds)
		case minutes != 0:
			return fmt.Sprintf("%s%dm %ds", sign, minutes, seconds)
		}
		return fmt.Sprintf("%s%.4gs", sign, v)
	}
	prefix := ""
	for _, p := range []string{"m", "u", "n", "p", "f", "a", "z", "y"} {
		if math.Abs(v) >= 1 {
			break
		}
		prefix = p
		v *= 1000
	}
	return fmt.Sprintf("%.4g%ss", v, prefix)
}
