package ingest

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// field is an indexed key of a record (a leaf of the top-level path trie).
type field uint8

const (
	fUUID field = iota
	fDateEpoch
	fDateRFC
	fDuration
	fInstance
	fAPI
	fAPIName
	fNonBlocking
	fBlockingLevel
	fSourceIP
	fHostname
	fMethod
	fURIPath
	fOASPath
	fStatus
	fErrors
	numFields
)

// errField is a key of one element of the errors array.
const (
	efStep = iota
	efDepth
	efState
	efToken
	efMessage
	numErrFields
)

// pathNode is one object level of a path trie: the keys wanted at this level,
// each either a leaf (a field's slot) or a nested object.
type pathNode struct {
	keys     []string
	children []*pathNode // nil entry: leaf
	slot     []int       // the child's own slot: its value's span (leaf) or kind (object)
	// leafString[i]: child i is a plain leaf (not an object, not the list),
	// so a string value is recorded without further ado.
	leafString []bool
	// below[i] is the range of slots in child i's subtree (its own included),
	// cleared when the key appears again: the last occurrence of a key wins.
	below [][2]int
	table [64]uint8 // keyHash → index+1, linear probing
	words []keyWords
}

// keyWords is a key as two masked little-endian words, to compare keys of
// up to 16 bytes without a call.
type keyWords struct {
	n              int
	w0, w1, m0, m1 uint64
}

func wordsOf(k string) keyWords {
	var buf [16]byte
	copy(buf[:], k)
	kw := keyWords{n: len(k)}
	mask := func(n int) uint64 {
		if n >= 8 {
			return ^uint64(0)
		}
		return 1<<(uint(max(n, 0))*8) - 1
	}
	kw.m0, kw.m1 = mask(len(k)), mask(len(k)-8)
	kw.w0 = binary.LittleEndian.Uint64(buf[0:]) & kw.m0
	kw.w1 = binary.LittleEndian.Uint64(buf[8:]) & kw.m1
	return kw
}

// keyHash places a key in a node's table: its first eight bytes and its
// length, multiplied into the top six bits.
func keyHash(k []byte) uint {
	var buf [8]byte
	copy(buf[:], k)
	return wordHash(binary.LittleEndian.Uint64(buf[:]), len(k))
}

func wordHash(w0 uint64, n int) uint {
	return uint(((w0 ^ uint64(n)) * 0x9E3779B97F4A7C15) >> 58)
}

// lowBytes[n] keeps the n low bytes of a word.
var lowBytes = [9]uint64{0, 0xff, 0xffff, 0xffffff, 0xffffffff, 0xffffffffff, 0xffffffffffff, 0xffffffffffffff, ^uint64(0)}

// find returns the index of key among the node's keys, or -1.
func (n *pathNode) find(key []byte) int {
	for h := keyHash(key); ; h = (h + 1) & 63 {
		e := n.table[h]
		if e == 0 {
			return -1
		}
		if n.keys[e-1] == string(key) {
			return int(e) - 1
		}
	}
}

// pathTrie is a compiled set of dotted paths: slotOf maps each field to the
// slot its value is recorded in; objects on the way get slots too, so a
// value of the wrong type there can be reported.
type pathTrie struct {
	root     *pathNode
	slots    int
	slotOf   []int
	slotPath []string // the dotted path of each slot, for messages
	listSlot int      // the slot whose value is an array walked element by element (errors), -1 if none
	objects  []int    // the slots of objects on the way to the leaves
}

// buildTrie compiles paths (indexed by field) into a trie. Slots are given
// in depth-first order so every subtree's slots are contiguous.
func buildTrie(paths []string, listField int) (*pathTrie, error) {
	type entry struct {
		segs  []string
		field int
	}
	var entries []entry
	for f, p := range paths {
		segs := strings.Split(p, ".")
		for _, s := range segs {
			if s == "" {
				return nil, fmt.Errorf("JSON path %q has an empty key", p)
			}
		}
		entries = append(entries, entry{segs, f})
	}
	t := &pathTrie{slotOf: make([]int, len(paths)), listSlot: -1}
	var build func(prefix []string, es []entry) (*pathNode, error)
	build = func(prefix []string, es []entry) (*pathNode, error) {
		n := &pathNode{}
		groups := map[string][]entry{}
		var order []string
		for _, e := range es {
			k := e.segs[len(prefix)]
			if _, ok := groups[k]; !ok {
				order = append(order, k)
			}
			groups[k] = append(groups[k], e)
		}
		if len(order) > 48 {
			return nil, fmt.Errorf("too many JSON paths under %q", strings.Join(prefix, "."))
		}
		for _, k := range order {
			g := groups[k]
			path := append(append([]string{}, prefix...), k)
			slot := t.slots
			t.slots++
			t.slotPath = append(t.slotPath, strings.Join(path, "."))
			idx := len(n.keys)
			n.keys = append(n.keys, k)
			n.words = append(n.words, wordsOf(k))
			n.slot = append(n.slot, slot)
			leaf := -1
			var deeper []entry
			for _, e := range g {
				if len(e.segs) == len(path) {
					if leaf >= 0 {
						return nil, fmt.Errorf("two settings use the JSON path %q", strings.Join(path, "."))
					}
					leaf = e.field
				} else {
					deeper = append(deeper, e)
				}
			}
			switch {
			case leaf >= 0 && len(deeper) > 0:
				return nil, fmt.Errorf("JSON path %q is both a value and an object holding %q",
					strings.Join(path, "."), strings.Join(deeper[0].segs, "."))
			case leaf >= 0:
				t.slotOf[leaf] = slot
				if leaf == listField {
					t.listSlot = slot
				}
				n.children = append(n.children, nil)
				n.leafString = append(n.leafString, leaf != listField)
			default:
				child, err := build(path, deeper)
				if err != nil {
					return nil, err
				}
				n.children = append(n.children, child)
				n.leafString = append(n.leafString, false)
			}
			n.below = append(n.below, [2]int{slot, t.slots})
			h := keyHash([]byte(k))
			for n.table[h] != 0 {
				h = (h + 1) & 63
			}
			n.table[h] = uint8(idx + 1)
		}
		return n, nil
	}
	root, err := build(nil, entries)
	if err != nil {
		return nil, err
	}
	t.root = root
	leaf := make([]bool, t.slots)
	for _, s := range t.slotOf {
		leaf[s] = true
	}
	for s := 0; s < t.slots; s++ {
		if !leaf[s] {
			t.objects = append(t.objects, s)
		}
	}
	return t, nil
}

// compiledPaths are the two tries a record parser walks: the record's and
// one errors element's.
type compiledPaths struct {
	record *pathTrie
	errs   *pathTrie
}

func compilePaths(p JSONPaths) (*compiledPaths, error) {
	p = p.withDefaults()
	rec := make([]string, numFields)
	rec[fUUID], rec[fDateEpoch], rec[fDateRFC], rec[fDuration] = p.UUID, p.DateEpoch, p.DateRFC8601, p.Duration
	rec[fInstance], rec[fAPI], rec[fAPIName] = p.Instance, p.API, p.APIName
	rec[fNonBlocking], rec[fBlockingLevel] = p.NonBlocking, p.BlockingLevel
	rec[fSourceIP], rec[fHostname], rec[fMethod], rec[fURIPath] = p.SourceIP, p.Hostname, p.Method, p.URIPath
	rec[fOASPath], rec[fStatus], rec[fErrors] = p.OASPath, p.Status, p.Errors
	r, err := buildTrie(rec, int(fErrors))
	if err != nil {
		return nil, err
	}
	errs := make([]string, numErrFields)
	errs[efStep], errs[efDepth], errs[efState], errs[efToken], errs[efMessage] =
		p.ErrorStep, p.ErrorDepth, p.ErrorState, p.ErrorToken, p.ErrorMessage
	e, err := buildTrie(errs, -1)
	if err != nil {
		return nil, fmt.Errorf("errors element: %w", err)
	}
	return &compiledPaths{record: r, errs: e}, nil
}
