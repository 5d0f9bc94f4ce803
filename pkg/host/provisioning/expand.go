// Package provisioning reads Grafana's provisioning directory: data sources,
// apps (plugins) and dashboard providers, in Grafana's file formats
// (https://grafana.com/docs/grafana/latest/administration/provisioning/).
// Alert rule files are read by pkg/host/alerting.
package provisioning

import (
	"os"
	"regexp"
	"strings"
)

// Lookup finds an environment variable.
type Lookup func(name string) (string, bool)

// EnvLookup is os.LookupEnv with overrides (later entries win), for a host
// started with extra variables.
func EnvLookup(overrides []string) Lookup {
	m := map[string]string{}
	for _, kv := range overrides {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(name string) (string, bool) {
		if v, ok := m[name]; ok {
			return v, true
		}
		return os.LookupEnv(name)
	}
}

var expander = regexp.MustCompile(`\$__(env|file)\{([^}]*)\}`)

// Expand interpolates a provisioned value as Grafana does
// (pkg/services/provisioning/values/values.go, interpolateValue, and the
// provisioning docs' "Using environment variables"): `$$` is a literal `$`;
// `$__env{NAME}` and `$__file{path}` are expanded; then `$NAME` and `${NAME}`
// become the variable's value, or nothing when it is unset.
func Expand(s string, lookup Lookup) string {
	parts := strings.Split(s, "$$")
	for i, part := range parts {
		part = expander.ReplaceAllStringFunc(part, func(m string) string {
			sub := expander.FindStringSubmatch(m)
			switch sub[1] {
			case "env":
				v, _ := lookup(sub[2])
				return v
			default:
				b, err := os.ReadFile(sub[2])
				if err != nil {
					return ""
				}
				return strings.TrimSpace(string(b))
			}
		})
		parts[i] = os.Expand(part, func(name string) string {
			v, _ := lookup(name)
			return v
		})
	}
	return strings.Join(parts, "$")
}

// expandAll expands every string in a decoded YAML/JSON value.
func expandAll(v any, lookup Lookup) any {
	switch t := v.(type) {
	case string:
		return Expand(t, lookup)
	case []any:
		for i := range t {
			t[i] = expandAll(t[i], lookup)
		}
		return t
	case map[string]any:
		for k := range t {
			t[k] = expandAll(t[k], lookup)
		}
		return t
	default:
		return v
	}
}
