package backendproc

import (
	"os"
	"strings"
)

// Env is the environment Grafana gives a backend plugin
// (pkg/plugins/envvars/envvars.go, PluginEnvVars): the host's own
// environment (unless the plugin skips it), then GF_VERSION, GF_EDITION, the
// plugin's version and the feature toggles; later entries win.
func Env(grafanaVersion, pluginVersion string, extra []string) []string {
	env := append([]string{}, os.Environ()...)
	env = append(env,
		"GF_VERSION="+grafanaVersion,
		"GF_EDITION=oss",
		"GF_PLUGIN_VERSION="+pluginVersion,
		"GF_INSTANCE_FEATURE_TOGGLES_ENABLE=",
	)
	return dedupe(append(env, extra...))
}

// dedupe keeps the last value of each variable, in first-seen order.
func dedupe(env []string) []string {
	last := map[string]int{}
	for i, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		last[k] = i
	}
	out := make([]string, 0, len(last))
	for i, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if last[k] == i {
			out = append(out, kv)
		}
	}
	return out
}
