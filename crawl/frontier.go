package crawl

import (
	"hash/maphash"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/internal/ring"
)

// Item is one URL waiting in the frontier: a plain value, safe to copy and
// to hand to any goroutine.
type Item struct {
	URL       string `json:"url"`                 // normalised (see Normalize)
	Depth     int    `json:"depth"`               // links followed from a start URL (start URLs: 0)
	Referrer  string `json:"referrer,omitempty"`  // the page that linked to it ("" for start URLs)
	Redirects int    `json:"redirects,omitempty"` // redirect hops that led to it
}

// Frontier holds the URLs waiting to be fetched. The crawler's worker
// tasks call it on the loop goroutine, one at a time between awaits; an
// implementation backed by a network store may await (and so must use ctx
// for its awaits and honour its cancellation). A Frontier must be bounded:
// Push reports false when the item was dropped because the frontier is
// full, and the crawler counts it.
type Frontier interface {
	// Push adds it; false means it was dropped (full).
	Push(ctx *aio.Context, it Item) (bool, error)
	// Pop removes and returns the next item without waiting; ok is false
	// when the frontier is empty.
	Pop(ctx *aio.Context) (it Item, ok bool, err error)
	// Len returns the number of queued items (an estimate is fine).
	Len() int
}

// SeenSet remembers which URLs (normalised keys) the crawl has already
// queued, so each is fetched at most once. Called on the loop goroutine
// like Frontier; implementations may await.
type SeenSet interface {
	// Add records key and reports whether it was new.
	Add(ctx *aio.Context, key string) (added bool, err error)
	// Len returns the number of keys recorded (an estimate is fine).
	Len() int
}

// MemoryFrontier is an in-memory FIFO Frontier holding at most Max items
// (breadth-first order). Loop goroutine only; not safe for concurrent use
// by several goroutines.
type MemoryFrontier struct {
	// Max bounds the queue; ≤ 0 means DefaultMaxQueued.
	Max   int
	items ring.Ring[Item]
}

// DefaultMaxQueued is the frontier bound used when none is set.
const DefaultMaxQueued = 100_000

// Push appends it, or reports false if Max items are queued. Loop
// goroutine only; never awaits.
func (f *MemoryFrontier) Push(_ *aio.Context, it Item) (bool, error) {
	max := f.Max
	if max <= 0 {
		max = DefaultMaxQueued
	}
	if f.items.Len() >= max {
		return false, nil
	}
	f.items.Push(it)
	return true, nil
}

// Pop removes the oldest item. Loop goroutine only; never awaits.
func (f *MemoryFrontier) Pop(*aio.Context) (Item, bool, error) {
	if f.items.Len() == 0 {
		return Item{}, false, nil
	}
	return f.items.Pop(), true, nil
}

// Len returns the number of queued items. Loop goroutine only.
func (f *MemoryFrontier) Len() int { return f.items.Len() }

// MemorySeenSet is an in-memory SeenSet that keeps a 64-bit hash per key
// (about 8 bytes per URL plus map overhead, whatever the URL's length). Two
// distinct URLs collide, and the second is skipped, with probability about
// n²/2⁶⁵ for n URLs: negligible below billions. Create it with
// NewMemorySeenSet. Loop goroutine only.
type MemorySeenSet struct {
	seed maphash.Seed
	keys map[uint64]struct{}
}

// NewMemorySeenSet returns an empty MemorySeenSet. Any goroutine; the set
// it returns is for one loop goroutine.
func NewMemorySeenSet() *MemorySeenSet {
	return &MemorySeenSet{seed: maphash.MakeSeed(), keys: map[uint64]struct{}{}}
}

// Add records key and reports whether it was new. Loop goroutine only;
// never awaits.
func (s *MemorySeenSet) Add(_ *aio.Context, key string) (bool, error) {
	h := maphash.String(s.seed, key)
	if _, ok := s.keys[h]; ok {
		return false, nil
	}
	s.keys[h] = struct{}{}
	return true, nil
}

// Len returns the number of keys recorded. Loop goroutine only.
func (s *MemorySeenSet) Len() int { return len(s.keys) }
