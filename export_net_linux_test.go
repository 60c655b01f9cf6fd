package aio

// SetDNSServer makes Dial and Listen send their host-name lookups to the
// name server at addr ("127.0.0.1:5353"), with net's own resolver. Loop
// goroutine, before the first lookup.
func (l *Loop) SetDNSServer(addr string) { l.netp.dns.resolver = newResolver(addr) }
