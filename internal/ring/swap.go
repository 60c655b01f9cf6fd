package ring

// Swap exchanges the i-th and j-th elements from the front (0 ≤ i, j < Len).
func (r *Ring[T]) Swap(i, j int) {
	if i < 0 || i >= r.n || j < 0 || j >= r.n {
		panic("ring: index out of range")
	}
	m := len(r.buf) - 1
	a, b := (r.head+i)&m, (r.head+j)&m
	r.buf[a], r.buf[b] = r.buf[b], r.buf[a]
}
