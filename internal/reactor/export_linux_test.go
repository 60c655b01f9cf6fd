package reactor

func (r *Reactor) wakeReadCount() uint64  { return r.wakeReads }
func (r *Reactor) wakeWriteCount() uint64 { return r.wakeWrites.Load() }
func (r *Reactor) eintrCount() uint64     { return r.eintr }
