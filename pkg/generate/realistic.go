package generate

import (
	"fmt"
	"math"
	"math/rand"
	"sort"
	"strconv"
	"strings"
)

// The realistic cardinality profile (ProfileRealistic).

// realisticClients bounds the client population of the realistic profile;
// the Zipf draw over it (s = 1.4, v = 10) gives a heavy tail: a few addresses send a
// large share, most are seen once or twice (about 46 k distinct per 1 M).
const realisticClients = 400_000

// realisticPool is the operation templates APIs of the realistic profile pick
// from. Each {…} segment has an id space (ids drawn with a skew: recent and
// popular objects more often), so paths such as /users/8812/orders/1203 are
// mostly distinct.
var realisticPool = []struct {
	method, template string
	ids              []int
}{
	{"GET", "/api/v1/users/{userId}", []int{200_000}},
	{"PUT", "/api/v1/users/{userId}", []int{200_000}},
	{"GET", "/api/v1/users/{userId}/orders", []int{200_000}},
	{"GET", "/api/v1/users/{userId}/orders/{orderId}", []int{200_000, 5_000_000}},
	{"POST", "/api/v1/users/{userId}/orders", []int{200_000}},
	{"GET", "/api/v1/accounts/{accountId}/transactions/{txId}", []int{50_000, 10_000_000}},
	{"GET", "/api/v1/accounts/{accountId}/balance", []int{50_000}},
	{"GET", "/api/v1/products/{sku}", []int{20_000}},
	{"GET", "/api/v1/products/{sku}/reviews", []int{20_000}},
	{"GET", "/api/v1/documents/{docId}/versions/{version}", []int{1_000_000, 30}},
	{"DELETE", "/api/v1/carts/{cartId}/items/{itemId}", []int{300_000, 40}},
	{"POST", "/api/v1/carts/{cartId}/items", []int{300_000}},
	{"GET", "/api/v1/search", nil},
	{"POST", "/api/v1/auth/token", nil},
	{"POST", "/api/v1/auth/refresh", nil},
	{"GET", "/api/v1/catalog/categories", nil},
	{"GET", "/api/v1/devices/{deviceId}/telemetry", []int{80_000}},
	{"PATCH", "/api/v1/tickets/{ticketId}", []int{150_000}},
	{"GET", "/health", nil},
	{"GET", "/api/v2/shipments/{trackingId}", []int{2_000_000}},
}

// RealisticAPIs returns the APIs of the realistic profile for a seed: the same
// ids and names as APIs(seed, n), each with 4–14 operations of the pool and
// its own skewed mix of them.
func RealisticAPIs(seed int64, n int) []API {
	apis := APIs(seed, n)
	rng := rand.New(rand.NewSource(seed ^ 0x7ea1))
	for i := range apis {
		idx := rng.Perm(len(realisticPool))[:4+rng.Intn(11)]
		ops := make([]operation, len(idx))
		total := 0.0
		w := make([]float64, len(idx))
		for k, j := range idx {
			// Zipf-like mix: the first operation gets the most calls.
			w[k] = 1 / math.Pow(float64(k+1), 0.9+rng.Float64()*0.6)
			total += w[k]
			p := realisticPool[j]
			ops[k] = operation{method: p.method, template: p.template, ids: p.ids}
		}
		cum := 0.0
		for k := range ops {
			cum += w[k] / total
			ops[k].cum = cum
		}
		ops[len(ops)-1].cum = 1
		apis[i].Operations = ops
	}
	return apis
}

// pickOperation draws an operation by its share (u in [0, 1)).
func pickOperation(ops []operation, u float64) operation {
	k := sort.Search(len(ops), func(i int) bool { return ops[i].cum > u })
	return ops[min(k, len(ops)-1)]
}

// fillIDs replaces each {…} of the template by an id from its space: three
// calls in four go to a small "hot" set (the first 1% of ids), the rest
// anywhere.
func fillIDs(op operation, rng *rand.Rand) string {
	var b strings.Builder
	t := op.template
	k := 0
	for i := 0; i < len(t); i++ {
		if t[i] != '{' {
			b.WriteByte(t[i])
			continue
		}
		for i < len(t) && t[i] != '}' {
			i++
		}
		space := 1000
		if k < len(op.ids) {
			space = op.ids[k]
		}
		k++
		var id int
		if rng.Intn(4) != 0 {
			id = rng.Intn(max(space/100, 1))
		} else {
			id = rng.Intn(space)
		}
		b.WriteString(strconv.Itoa(1 + id))
	}
	return b.String()
}

// realisticClientIP names the client of a Zipf rank: every fourth is IPv6.
func realisticClientIP(rank int) string {
	h := uint32(rank)*2654435761 + 0x9e37 // spread ranks over the address space
	if rank%4 == 3 {
		return fmt.Sprintf("2001:db8:%x:%x::%x", h>>16, h&0xffff, rank%251+1)
	}
	return fmt.Sprintf("%d.%d.%d.%d", 11+h>>24%200, h>>16&0xff, h>>8&0xff, 1+h%254)
}
