// Command loadgen drives bench/'s network workloads (see bench/WORKLOADS.md):
//
//	loadgen -mode echo -addr HOST:PORT [-c 50] [-size 1024] [-warmup 1s] [-duration 5s] [-cpus 0,1]
//	loadgen -mode http -addr HOST:PORT [-c 50] [-warmup 1s] [-duration 5s] [-cpus 0,1]
//	loadgen -mode refserver -addr HOST:PORT [-stats FILE]
//
// In the echo and http modes it opens -c connections, one goroutine each,
// and keeps one request in flight per connection: echo writes -size bytes
// with a pattern that changes from message to message and reads them back,
// comparing byte for byte; http sends a keep-alive "GET /hello HTTP/1.1"
// and checks the response strictly (status 200, Content-Length body "Hello,
// World!", Content-Type text/plain). After -warmup it counts, for
// -duration, every request that completes and records its latency in a
// log-linear histogram. It prints one JSON line:
//
//	{"mode":"echo","connections":50,"requests":N,"seconds":5.0,"req_per_s":...,"p50_us":...,"p99_us":...,"cpu_busy":{"0":0.93,"1":0.99}}
//
// cpu_busy holds, for every CPU listed in -cpus, the busy share of that
// CPU (from /proc/stat) over exactly the measured window. Any failed check
// or connection error makes it print the reason on stderr and exit 1
// (2 for a wrong response, like the benchmark programs' CHECK FAILED).
//
// The refserver mode is the reference server of http_fetch: net/http,
// keep-alive, GET /item/{i} → {"id":i,"title":"item i"}. On SIGTERM or
// SIGINT it writes {"connections":K,"max_open":M,"requests":R} to -stats
// (connections that carried at least one request, the most of them open at
// once, and the /item requests answered) and exits 0.
//
// It is meant to run with GOMAXPROCS=1, pinned to a CPU of its own.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	exitError = 1
	exitCheck = 2
)

// checkError is a wrong answer from the server under test.
type checkError struct{ msg string }

func (e *checkError) Error() string { return e.msg }

func checkFailed(format string, a ...any) error { return &checkError{fmt.Sprintf(format, a...)} }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	mode, addr, stats string
	conns, size       int
	warmup, duration  time.Duration
	cpus              []int
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var cpus string
	fs.StringVar(&o.mode, "mode", "echo", "echo, http or refserver")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address of the server (refserver: to listen on)")
	fs.IntVar(&o.conns, "c", 50, "connections")
	fs.IntVar(&o.size, "size", 1024, "echo message size in bytes")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "warm-up, not measured")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "measured time")
	fs.StringVar(&cpus, "cpus", "", "comma-separated CPUs whose busy share over the measured window to report")
	fs.StringVar(&o.stats, "stats", "", "refserver: file to write the connection and request counts to on SIGTERM")
	if err := fs.Parse(args); err != nil {
		return exitCheck
	}
	for f := range strings.SplitSeq(cpus, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		c, err := strconv.Atoi(f)
		if err != nil {
			fmt.Fprintf(stderr, "loadgen: -cpus: %v\n", err)
			return exitCheck
		}
		o.cpus = append(o.cpus, c)
	}
	var err error
	switch o.mode {
	case "echo", "http":
		if o.conns < 1 || o.size < 1 || o.duration <= 0 || o.warmup < 0 {
			fmt.Fprintln(stderr, "loadgen: -c and -size must be positive, -duration positive, -warmup not negative")
			return exitCheck
		}
		var res result
		if res, err = drive(o); err == nil {
			json.NewEncoder(stdout).Encode(res)
			return 0
		}
	case "refserver":
		err = refServer(o.addr, o.stats)
	default:
		fmt.Fprintf(stderr, "loadgen: unknown -mode %q\n", o.mode)
		return exitCheck
	}
	if err == nil {
		return 0
	}
	var ce *checkError
	if errors.As(err, &ce) {
		fmt.Fprintf(stderr, "CHECK FAILED [loadgen %s]: %s\n", o.mode, ce.msg)
		return exitCheck
	}
	fmt.Fprintf(stderr, "loadgen: %s: %v\n", o.mode, err)
	return exitError
}

// result is the JSON line of the echo and http modes.
type result struct {
	Mode        string             `json:"mode"`
	Connections int                `json:"connections"`
	Requests    uint64             `json:"requests"`
	Seconds     float64            `json:"seconds"`
	ReqPerS     float64            `json:"req_per_s"`
	P50us       float64            `json:"p50_us"`
	P99us       float64            `json:"p99_us"`
	CPUBusy     map[string]float64 `json:"cpu_busy,omitempty"`
}

// Phases of a run; workers count what completes while measuring.
const (
	phaseWarmup int32 = iota
	phaseMeasure
	phaseStop
)

// drive runs the echo or http load and returns what it measured.
func drive(o options) (result, error) {
	conns := make([]net.Conn, 0, o.conns)
	closeAll := func() {
		for _, c := range conns {
			c.Close()
		}
	}
	for range o.conns {
		c, err := net.Dial("tcp", o.addr)
		if err != nil {
			closeAll()
			return result{}, err
		}
		conns = append(conns, c)
	}
	defer closeAll()

	var phase atomic.Int32
	hists := make([]hist, o.conns)
	errs := make([]error, o.conns)
	var failed atomic.Bool
	var wg sync.WaitGroup
	for k, c := range conns {
		var w worker
		if o.mode == "echo" {
			w = newEchoWorker(c, k, o.size)
		} else {
			w = newHTTPWorker(c, o.addr)
		}
		wg.Go(func() {
			for phase.Load() != phaseStop {
				t0 := time.Now()
				err := w.request()
				dt := time.Since(t0)
				if err != nil {
					if phase.Load() == phaseStop {
						return // the deadline that ends the run
					}
					errs[k] = fmt.Errorf("connection %d: %w", k, err)
					failed.Store(true)
					return
				}
				if phase.Load() == phaseMeasure {
					hists[k].record(dt.Nanoseconds())
				}
			}
		})
	}
	// Wait out the warm-up (or the first failure), then measure.
	sleepUnless(o.warmup, &failed)
	t1 := time.Now()
	before, errStat := readCPUTicks(o.cpus)
	phase.Store(phaseMeasure)
	sleepUnless(o.duration, &failed)
	phase.Store(phaseStop)
	t2 := time.Now()
	after, errStat2 := readCPUTicks(o.cpus)
	for _, c := range conns {
		c.SetDeadline(time.Now()) // unblocks the workers' reads and writes
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return result{}, err
	}
	if err := errors.Join(errStat, errStat2); err != nil {
		return result{}, err
	}
	var all hist
	for i := range hists {
		all.merge(&hists[i])
	}
	secs := t2.Sub(t1).Seconds()
	if all.n == 0 {
		return result{}, fmt.Errorf("no request completed in %.2f s", secs)
	}
	res := result{
		Mode: o.mode, Connections: o.conns, Requests: all.n, Seconds: secs,
		ReqPerS: float64(all.n) / secs,
		P50us:   all.quantile(0.50) / 1e3,
		P99us:   all.quantile(0.99) / 1e3,
	}
	if len(o.cpus) > 0 {
		res.CPUBusy = map[string]float64{}
		for _, c := range o.cpus {
			res.CPUBusy[strconv.Itoa(c)] = busyFraction(before[c], after[c])
		}
	}
	return res, nil
}

// sleepUnless sleeps for d, returning early once failed is set.
func sleepUnless(d time.Duration, failed *atomic.Bool) {
	end := time.Now().Add(d)
	for !failed.Load() {
		left := time.Until(end)
		if left <= 0 {
			return
		}
		time.Sleep(min(left, 50*time.Millisecond))
	}
}

// worker does one request at a time on its connection.
type worker interface{ request() error }

// echoWorker writes a message and reads it back.
type echoWorker struct {
	c        net.Conn
	pattern  []byte // size + patternPeriod bytes; message m is pattern[m%period:][:size]
	size     int
	seq, off int
	buf      []byte
}

// patternPeriod is prime so that consecutive messages differ everywhere.
const patternPeriod = 251

func newEchoWorker(c net.Conn, k, size int) *echoWorker {
	p := make([]byte, size+patternPeriod)
	for i := range p {
		p[i] = byte((i + 17*k) % patternPeriod)
	}
	return &echoWorker{c: c, pattern: p, size: size, buf: make([]byte, size)}
}

func (w *echoWorker) request() error {
	msg := w.pattern[w.off : w.off+w.size]
	w.seq++
	w.off = (w.off + 1) % patternPeriod
	if _, err := w.c.Write(msg); err != nil {
		return err
	}
	if _, err := io.ReadFull(w.c, w.buf); err != nil {
		return err
	}
	if !bytes.Equal(w.buf, msg) {
		i := 0
		for w.buf[i] == msg[i] {
			i++
		}
		return checkFailed("echo message %d: byte %d is %d, sent %d", w.seq, i, w.buf[i], msg[i])
	}
	return nil
}

// httpWorker sends GET /hello on a keep-alive connection.
type httpWorker struct {
	c   net.Conn
	req []byte
	br  *bufio.Reader
	n   int
}

func newHTTPWorker(c net.Conn, addr string) *httpWorker {
	return &httpWorker{c: c, req: []byte("GET /hello HTTP/1.1\r\nHost: " + addr + "\r\n\r\n"),
		br: bufio.NewReaderSize(c, 4096)}
}

var helloBody = []byte("Hello, World!")

func (w *httpWorker) request() error {
	w.n++
	if _, err := w.c.Write(w.req); err != nil {
		return err
	}
	if err := readHello(w.br); err != nil {
		var ce *checkError
		if errors.As(err, &ce) {
			return checkFailed("response %d: %s", w.n, ce.msg)
		}
		return err
	}
	return nil
}

// readHello reads one HTTP/1.1 response and checks that it is the
// keep-alive 200 "Hello, World!" of the http_server workload: status line
// "HTTP/1.1 200 ...", exactly one Content-Length (13) and no
// Transfer-Encoding, Content-Type text/plain (a charset=utf-8 parameter
// is allowed), no "Connection: close", and the body.
func readHello(br *bufio.Reader) error {
	line, err := readLine(br)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "HTTP/1.1 200") || (len(line) > 12 && line[12] != ' ') {
		return checkFailed("status line %q, want HTTP/1.1 200", line)
	}
	length, ctype, nlen, nctype := -1, "", 0, 0
	for {
		line, err := readLine(br)
		if err != nil {
			return err
		}
		if line == "" {
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return checkFailed("malformed header line %q", line)
		}
		value = strings.TrimSpace(value)
		switch strings.ToLower(name) {
		case "content-length":
			nlen++
			if length, err = strconv.Atoi(value); err != nil || length < 0 {
				return checkFailed("Content-Length %q", value)
			}
		case "content-type":
			nctype++
			ctype = value
		case "transfer-encoding":
			return checkFailed("Transfer-Encoding %q, want a Content-Length body", value)
		case "connection":
			if strings.EqualFold(value, "close") {
				return checkFailed("the server closes the connection (Connection: close)")
			}
		}
	}
	if nlen != 1 || length != len(helloBody) {
		return checkFailed("%d Content-Length header(s), length %d; want one, %d", nlen, length, len(helloBody))
	}
	if nctype != 1 || !isTextPlain(ctype) {
		return checkFailed("Content-Type %q (%d header(s)), want one text/plain", ctype, nctype)
	}
	var body [16]byte
	if _, err := io.ReadFull(br, body[:length]); err != nil {
		return err
	}
	if !bytes.Equal(body[:length], helloBody) {
		return checkFailed("body %q, want %q", body[:length], helloBody)
	}
	return nil
}

// isTextPlain accepts "text/plain", optionally with "; charset=utf-8".
func isTextPlain(v string) bool {
	media, param, _ := strings.Cut(v, ";")
	if !strings.EqualFold(strings.TrimSpace(media), "text/plain") {
		return false
	}
	param = strings.ReplaceAll(strings.TrimSpace(param), " ", "")
	return param == "" || strings.EqualFold(param, "charset=utf-8")
}

// readLine reads one CRLF-terminated line without the CRLF.
func readLine(br *bufio.Reader) (string, error) {
	b, err := br.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return "", checkFailed("header line longer than %d bytes", br.Size())
		}
		return "", err
	}
	if len(b) < 2 || b[len(b)-2] != '\r' {
		return "", checkFailed("line %q does not end in CRLF", b)
	}
	return string(b[:len(b)-2]), nil
}

// signalContext is cancelled by SIGTERM or SIGINT.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
}
