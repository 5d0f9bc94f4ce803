package index

import (
	"math/rand"
	"testing"
)

// Every form of a code column reads back what was written, by get and by
// decode over any range.
func TestCodesRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	gens := map[string]func() uint32{
		"zero":    func() uint32 { return 0 },
		"u8":      func() uint32 { return uint32(rng.Intn(256)) },
		"bits3":   func() uint32 { return uint32(rng.Intn(8)) },
		"u16":     func() uint32 { return uint32(rng.Intn(1 << 16)) },
		"19 bits": func() uint32 { return uint32(rng.Intn(282_000)) },
		"u24":     func() uint32 { return uint32(rng.Intn(1 << 24)) },
		"lengths": func() uint32 { return 1100 + uint32(rng.Intn(900)) },
		"u32":     func() uint32 { return rng.Uint32() },
		"top":     func() uint32 { return 0xffffffff - uint32(rng.Intn(1000)) },
		"31 bits": func() uint32 { return uint32(rng.Intn(1 << 31)) },
	}
	for name, gen := range gens {
		for _, n := range []int{1, 2, 63, 64, 65, 1000, 1001, 65536, 65535} {
			src := make([]uint32, n)
			for i := range src {
				src[i] = gen()
			}
			c := narrowCodes(src, n%2 == 1)
			for i, v := range src {
				if got := c.get(i); got != v {
					t.Fatalf("%s n=%d: get(%d) = %d, want %d", name, n, i, got, v)
				}
			}
			dst := make([]uint32, n)
			for k := 0; k < 20; k++ {
				lo := rng.Intn(n)
				hi := lo + rng.Intn(n-lo+1)
				c.decode(lo, hi, dst)
				for i := lo; i < hi; i++ {
					if dst[i-lo] != src[i] {
						t.Fatalf("%s n=%d: decode(%d, %d)[%d] = %d, want %d", name, n, lo, hi, i, dst[i-lo], src[i])
					}
				}
			}
		}
	}
	// Packing is chosen where allowed and it saves: record lengths take
	// 11 bits, not 2 bytes; not allowed, 2 bytes.
	src := make([]uint32, 65536)
	for i := range src {
		src[i] = 1000 + uint32(rng.Intn(2000))
	}
	if c := narrowCodes(src, true); c.packed == nil || float64(c.bytes())/65536 > 1.4 {
		t.Fatalf("lengths: %d bytes", c.bytes())
	}
	if c := narrowCodes(src, false); c.u16 == nil {
		t.Fatalf("lengths packed where not allowed")
	}
}
