package plugin

import (
	"reflect"
	"testing"

	"github.com/apifw/monitor/pkg/model"
)

func TestMaskerSecret(t *testing.T) {
	m := newMasker([]string{"X-Tenant", "x-internal-*"})
	cases := []struct {
		name string
		want bool
	}{
		{"Authorization", true},
		{"proxy-authorization", true},
		{"Cookie", true},
		{"Set-Cookie", true},
		{"X-API-Key", true},
		{"api-key", true},
		{"ApiKey", true},
		{"X-Auth-Token", true},
		{"x-access-token", true},
		{"X-CSRF-Token", true},
		{"X-Refresh-Token", true},  // *token*
		{"client_secret", true},    // *secret*
		{"X-Password-Hint", true},  // *password*
		{"X-My-ApiKey", true},      // *apikey*
		{"my-api-key-2", true},     // *api-key*
		{"X-Tenant", true},         // setting
		{"x-internal-trace", true}, // setting glob
		{" authorization ", true},
		{"Content-Type", false},
		{"Accept", false},
		{"X-Tenants", false},
		{"Host", false},
	}
	for _, c := range cases {
		if got := m.secret(c.name); got != c.want {
			t.Errorf("secret(%q) = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestMaskerDetailCopies(t *testing.T) {
	m := newMasker(nil)
	in := model.TransactionDetail{
		RequestHeaders:  []model.Header{{Name: "Authorization", Value: "Bearer abc"}, {Name: "Accept", Value: "*/*"}},
		ResponseHeaders: []model.Header{{Name: "Set-Cookie", Value: "sid=1"}},
	}
	out := m.detail(in)
	want := []model.Header{{Name: "Authorization", Value: MaskedValue}, {Name: "Accept", Value: "*/*"}}
	if !reflect.DeepEqual(out.RequestHeaders, want) || out.ResponseHeaders[0].Value != MaskedValue {
		t.Fatalf("masked: %+v", out)
	}
	if in.RequestHeaders[0].Value != "Bearer abc" {
		t.Fatal("the input was changed")
	}
}
