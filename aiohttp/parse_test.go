package aiohttp

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// sameAsReadRequest parses raw with the fast path and with
// http.ReadRequest and reports a difference in any field a server sets
// from the wire, or in what is left to read. It reports whether the fast
// path took the request.
func sameAsReadRequest(t *testing.T, raw string) bool {
	t.Helper()
	// A reader whose buffer holds all of raw at once, as after one read.
	fr := bufio.NewReaderSize(strings.NewReader(raw), 8192)
	fr.Peek(len(raw))
	got := fastRequest(context.Background(), fr, headerEnd(fr))
	if got == nil {
		if fr.Buffered() != len(raw) {
			t.Errorf("%q: the fast path declined but consumed %d bytes", raw, len(raw)-fr.Buffered())
		}
		return false
	}
	sr := bufio.NewReaderSize(strings.NewReader(raw), 8192)
	want, err := http.ReadRequest(sr)
	if err != nil {
		t.Errorf("%q: the fast path took a request http.ReadRequest rejects (%v)", raw, err)
		return true
	}
	diff := func(field string, g, w any) {
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%q: %s = %#v, http.ReadRequest has %#v", raw, field, g, w)
		}
	}
	diff("Method", got.Method, want.Method)
	diff("URL", *got.URL, *want.URL)
	diff("Proto", got.Proto, want.Proto)
	diff("ProtoMajor", got.ProtoMajor, want.ProtoMajor)
	diff("ProtoMinor", got.ProtoMinor, want.ProtoMinor)
	diff("Header", got.Header, want.Header)
	diff("Body", got.Body, want.Body)
	diff("ContentLength", got.ContentLength, want.ContentLength)
	diff("TransferEncoding", got.TransferEncoding, want.TransferEncoding)
	diff("Close", got.Close, want.Close)
	diff("Host", got.Host, want.Host)
	diff("Trailer", got.Trailer, want.Trailer)
	diff("RequestURI", got.RequestURI, want.RequestURI)
	diff("Form", got.Form, want.Form)
	diff("GetBody == nil", got.GetBody == nil, want.GetBody == nil)
	gr, _ := io.ReadAll(fr)
	wr, _ := io.ReadAll(sr)
	diff("the bytes after the request", string(gr), string(wr))
	return true
}

func TestFastRequestTakesCommonRequests(t *testing.T) {
	for _, raw := range []string{
		"GET /hello HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n",
		"GET /search?q=go+aio&page=2 HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: gzip, br\r\nConnection: keep-alive\r\n\r\n",
		"HEAD /a/b/c.html HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\n",
		"GET /x HTTP/1.0\r\nHost: h\r\n\r\n",
		"DELETE /items/7 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET /next HTTP/1.1\r\n",
		"GET /p HTTP/1.1\r\nhost: h\r\naccept-language: en\r\nX-Forwarded-For: 10.0.0.1\r\nx-forwarded-for: 10.0.0.2\r\n\r\n",
		"GET /browser HTTP/1.1\r\nHost: h\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\nAccept: text/html,application/xhtml+xml;q=0.9\r\n" +
			"Accept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate, br\r\nConnection: keep-alive\r\nCookie: a=1; b=2\r\n" +
			"Upgrade-Insecure-Requests: 1\r\nSec-Fetch-Dest: document\r\nSec-Fetch-Mode: navigate\r\nCache-Control: max-age=0\r\n\r\n",
		"GET /q? HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /v HTTP/1.1\r\nHost: h\r\nX-Empty:\r\nX-Pad: \t padded \t \r\n\r\n",
	} {
		if !sameAsReadRequest(t, raw) {
			t.Errorf("%q: the fast path declined a common request", raw)
		}
	}
}

func TestFastRequestLeavesTheRestToReadRequest(t *testing.T) {
	for _, raw := range []string{
		"GET /hello HTTP/1.1\r\nHost: h\r\n",                                           // header not complete
		"POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",                  // a body
		"POST /f HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",   // a body
		"GET /%41 HTTP/1.1\r\nHost: h\r\n\r\n",                                         // escapes
		"GET http://h/x HTTP/1.1\r\nHost: h\r\n\r\n",                                   // absolute form
		"GET * HTTP/1.1\r\nHost: h\r\n\r\n",                                            // asterisk form
		"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",                                // authority form
		"GET /x HTTP/1.1\r\n\r\n",                                                      // no Host
		"GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",                                // two
		"GET /x HTTP/2.0\r\nHost: h\r\n\r\n",                                           // not 1.x
		"GET /x HTTP/1.1\r\nHost: h\r\nX-Fold: a\r\n b\r\n\r\n",                        // obsolete folding
		"GET /x HTTP/1.1\r\nHost: h\r\nX-Bad Key: v\r\n\r\n",                           // space in a name
		"GET /x HTTP/1.1\r\nHost: h\r\nX_Under: v\r\n\r\n",                             // other token bytes
		"GET /x HTTP/1.1\r\nHost: h\r\nX-Bin: \x80\r\n\r\n",                            // obs-text
		"GET /x HTTP/1.1\r\nHost: h\r\nX-Ctl: a\x01b\r\n\r\n",                          // control byte
		"GET /x HTTP/1.1\nHost: h\n\n",                                                 // bare LF
		"GET /x HTTP/1.1\r\nHost: h\nX: y\r\n\r\n",                                     // a bare LF inside
		"GET /x HTTP/1.1\r\nHost: h\r\nPragma: no-cache\r\n\r\n",                       // rewritten by ReadRequest
		"get /x HTTP/1.1\r\nHost: h\r\n\r\n",                                           // unknown method
		"GET  /x HTTP/1.1\r\nHost: h\r\n\r\n",                                          // two spaces
		"GET /x HTTP/1.1 \r\nHost: h\r\n\r\n",                                          // trailing space
		"GET /x HTTP/1.1\r\n Host: h\r\n\r\n",                                          // leading space
		"GET /x HTTP/1.1\r\n:v\r\nHost: h\r\n\r\n",                                     // empty name
		"GET /x HTTP/1.1\rHost: h\r\n\r\n",                                             // bare CR
		"GET /a#frag HTTP/1.1\r\nHost: h\r\n\r\n",                                      // '#'
		"GET /a|b HTTP/1.1\r\nHost: h\r\n\r\n",                                         // escaped by the URL package
		"GET /x?a\x7fb HTTP/1.1\r\nHost: h\r\n\r\n",                                    // DEL in the query
		"GET /x HTTP/1.1\r\nHost: h\r\nTrailer: X\r\n\r\n",                             // trailer
		"\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n",                                       // leading CRLF
		"GET /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nContent-Length: 1\r\n\r\n", // conflicting lengths
	} {
		if sameAsReadRequest(t, raw) {
			t.Errorf("%q: the fast path took a request it should leave to http.ReadRequest", raw)
		}
	}
}

// TestFastRequestAgreesWithReadRequest generates requests from pieces that
// are valid, invalid and borderline for each part of the request, and
// checks every one the fast path takes against http.ReadRequest.
func TestFastRequestAgreesWithReadRequest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// Each piece is picked from its good list, or one time in eight from
	// its bad (or borderline) list.
	pick := func(good, bad []string) string {
		if rng.IntN(8) == 0 {
			return bad[rng.IntN(len(bad))]
		}
		return good[rng.IntN(len(good))]
	}
	methods := []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"}
	badMethods := []string{"get", "BREW", "GE T", "", "CONNECT"}
	protos := []string{"HTTP/1.1", "HTTP/1.0"}
	badProtos := []string{"HTTP/1.2", "HTTP/2.0", "http/1.1", "HTTP/1.1 ", "HTTP/01.1", "HTTP/1.1\r"}
	keys := []string{"Accept", "accept-encoding", "X-a-B", "Connection", "connection", "Cookie", "Expect", "1-2", "User-Agent"}
	badKeys := []string{"Content-Length", "Transfer-Encoding", "Pragma", "X_y", "X y", "", "X-\x80", "Host", "Trailer", "X:"}
	values := []string{"", " ", "h", "close", "keep-alive", "Close, Upgrade", "keep-alive, close", "a\tb",
		" pad ", "\tt\t", "0", "100-continue", "[::1]:80"}
	badValues := []string{"\x80", "a\x00b", "ü", "a\rb", "a\nb", "chunked", "-1"}
	taken := 0
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		b.WriteString(pick(methods, badMethods))
		b.WriteByte(' ')
		b.WriteString(randomURI(rng))
		b.WriteByte(' ')
		b.WriteString(pick(protos, badProtos))
		b.WriteString("\r\n")
		for range rng.IntN(12) {
			k, v := pick(keys, badKeys), pick(values, badValues)
			if rng.IntN(4) == 0 {
				v = randomASCII(rng, 6)
			}
			fmt.Fprintf(&b, "%s:%s\r\n", k, v)
		}
		if rng.IntN(8) != 0 {
			fmt.Fprintf(&b, "Host: %s\r\n", pick([]string{"example.com", "h:80", "[::1]:8080"}, []string{"", "bad host", "a\x00"}))
		}
		b.WriteString("\r\n")
		if rng.IntN(3) == 0 {
			b.WriteString("GET /next HTTP/1.1\r\n")
		}
		if sameAsReadRequest(t, b.String()) {
			taken++
		}
		if t.Failed() {
			return
		}
	}
	// The pieces are mostly bad on purpose; enough good ones must remain
	// for the comparison to mean something.
	if taken < 1000 {
		t.Errorf("the fast path took %d of 20000 generated requests, want at least 1000", taken)
	}
	t.Logf("the fast path took %d of 20000 generated requests", taken)
}

func randomURI(rng *rand.Rand) string {
	switch rng.IntN(8) {
	case 0, 7:
		return "/" + randomASCII(rng, 10)
	case 1:
		return "/" + randomASCII(rng, 4) + "?" + randomASCII(rng, 8)
	case 2:
		return "http://h/" + randomASCII(rng, 3)
	default:
		return "/a/b-c_d.e~f$&+,;=:@/" + randomASCII(rng, 2)
	}
}

// randomASCII returns n random bytes, mostly printable ASCII, sometimes a
// control byte or a byte over 0x7f.
func randomASCII(rng *rand.Rand, n int) string {
	b := make([]byte, rng.IntN(n+1))
	for i := range b {
		switch rng.IntN(20) {
		case 0:
			b[i] = byte(rng.IntN(0x20))
		case 1:
			b[i] = byte(0x7f + rng.IntN(0x81))
		default:
			b[i] = byte(0x21 + rng.IntN(0x5e))
		}
	}
	return string(b)
}

// FuzzFastRequest: whatever the bytes, the fast path either declines
// without consuming anything or agrees with http.ReadRequest.
func FuzzFastRequest(f *testing.F) {
	f.Add([]byte("GET /hello HTTP/1.1\r\nHost: h\r\n\r\n"))
	f.Add([]byte("GET /a?b=c HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\nX: y\r\nx: z\r\n\r\n"))
	f.Add([]byte("HEAD / HTTP/1.1\r\nHost: h\r\nX-Pad: \t v \t\r\n\r\nGET"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		if bytes.Contains(raw, []byte("\r\n\r\n")) {
			sameAsReadRequest(t, string(raw))
		}
	})
}

// BenchmarkFastRequest parses a typical small request from a buffer.
func BenchmarkFastRequest(b *testing.B) {
	raw := "GET /hello?x=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n"
	sr := strings.NewReader(raw)
	br := bufio.NewReaderSize(sr, 4096)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		sr.Reset(raw)
		br.Reset(sr)
		br.Peek(len(raw))
		if fastRequest(ctx, br, headerEnd(br)) == nil {
			b.Fatal("the fast path declined")
		}
	}
}
