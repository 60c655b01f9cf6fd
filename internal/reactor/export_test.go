package reactor

// Test hooks.

// slotOf returns d's slot index and generation.
func slotOf(d *Desc) (int32, uint32) { return d.slot, d.gen }

// injectWait simulates a Wait whose kernel events are evs (slot, gen,
// readiness), without any syscall: it runs the same bookkeeping as Wait.
func (r *Reactor) injectWait(evs ...injected) int {
	r.begin()
	for _, e := range evs {
		r.deliver(e.slot, e.gen, e.ev)
	}
	return len(r.ready)
}

type injected struct {
	slot int32
	gen  uint32
	ev   Event
}

// staleCount is the number of events dropped for a stale generation.
func (r *Reactor) staleCount() uint64 { return r.stale }
