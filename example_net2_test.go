//go:build linux

package aio_test

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"syscall"

	"github.com/asyncgo/aio"
)

// ListenPacket gives a net.PacketConn for tasks: ReadFrom suspends only the
// calling task until a datagram arrives, and reports its sender.
func ExampleListenPacket() {
	err := aio.Run(func(ctx *aio.Context) error {
		server, err := aio.ListenPacket(ctx, "udp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer server.Close()
		client, err := aio.DialUDP(ctx, "udp", server.LocalAddr().String())
		if err != nil {
			return err
		}
		defer client.Close()
		if _, err := client.Write([]byte("ping")); err != nil {
			return err
		}
		buf := make([]byte, 64)
		n, from, err := server.ReadFrom(buf)
		if err != nil {
			return err
		}
		fmt.Printf("server got %q from the client: %v\n", buf[:n], from.String() == client.LocalAddr().String())
		if _, err := server.WriteTo([]byte("pong"), from); err != nil {
			return err
		}
		n, err = client.Read(buf)
		fmt.Printf("client got %q\n", buf[:n])
		return err
	})
	fmt.Println("error:", err)
	// Output:
	// server got "ping" from the client: true
	// client got "pong"
	// error: <nil>
}

// A child process's output is a Stream; Wait parks the task on the
// child's pidfd, so the loop keeps running other tasks meanwhile.
func ExampleCommand() {
	err := aio.Run(func(ctx *aio.Context) error {
		c := aio.Command(ctx, "/bin/sh", "-c", "echo one; echo two; exit 3")
		out, err := c.StdoutPipe()
		if err != nil {
			return err
		}
		if err := c.Start(); err != nil {
			return err
		}
		defer out.Close()
		for {
			line, err := out.ReadLine(ctx)
			if err != nil {
				break // io.EOF
			}
			fmt.Print("line: ", string(line))
		}
		rc, err := c.Wait(ctx)
		fmt.Println("return code", rc)
		return err
	})
	fmt.Println("error:", err)
	// Output:
	// line: one
	// line: two
	// return code 3
	// error: <nil>
}

// Communicate feeds stdin and collects stdout (and stderr) to the end.
func ExampleCmd_Communicate() {
	err := aio.Run(func(ctx *aio.Context) error {
		c := aio.Command(ctx, "tr", "a-z", "A-Z")
		c.StdinPipe()
		out, _ := c.StdoutPipe()
		defer out.Close()
		if err := c.Start(); err != nil {
			return err
		}
		stdout, _, err := c.Communicate(ctx, []byte("shout\n"))
		fmt.Print(string(stdout))
		return err
	})
	fmt.Println("error:", err)
	// Output:
	// SHOUT
	// error: <nil>
}

// upper is a Protocol: it answers each chunk upper-cased and closes when
// the peer has sent everything.
type upper struct{ t aio.Transport }

func (p *upper) ConnectionMade(t aio.Transport) { p.t = t }
func (p *upper) DataReceived(b []byte)          { p.t.Write([]byte(strings.ToUpper(string(b)))) }
func (p *upper) EOFReceived() bool              { return false } // close
func (p *upper) ConnectionLost(error)           {}

// collect is a client Protocol that keeps what it receives and resolves
// done when the connection is lost.
type collect struct {
	got  []byte
	done *aio.Future[string]
}

func (p *collect) ConnectionMade(t aio.Transport) {
	t.Write([]byte("hello, protocols"))
	t.WriteEOF()
}
func (p *collect) DataReceived(b []byte)    { p.got = append(p.got, b...) }
func (p *collect) EOFReceived() bool        { return false }
func (p *collect) ConnectionLost(err error) { p.done.SetResult(string(p.got)) }

// CreateServer and CreateConnection are asyncio's callback form: the
// reactor's readiness runs the protocols' methods on the loop goroutine,
// with no task per connection.
func ExampleCreateServer() {
	err := aio.Run(func(ctx *aio.Context) error {
		srv, err := aio.CreateServer(ctx, func() *upper { return &upper{} }, "tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer srv.Close()
		done := aio.NewFuture[string](ctx)
		_, _, err = aio.CreateConnection(ctx, func() *collect { return &collect{done: done} }, "tcp", srv.Addr().String())
		if err != nil {
			return err
		}
		reply, err := done.Await(ctx)
		fmt.Println(reply)
		return err
	})
	fmt.Println("error:", err)
	// Output:
	// HELLO, PROTOCOLS
	// error: <nil>
}

// echoDatagrams is a DatagramProtocol that sends every datagram back.
type echoDatagrams struct{ t aio.DatagramTransport }

func (p *echoDatagrams) ConnectionMade(t aio.DatagramTransport)   { p.t = t }
func (p *echoDatagrams) DatagramReceived(b []byte, addr net.Addr) { p.t.SendTo(b, addr) }
func (p *echoDatagrams) ErrorReceived(error)                      {}
func (p *echoDatagrams) ConnectionLost(error)                     {}

// CreateDatagramEndpoint drives a UDP socket with a DatagramProtocol.
func ExampleCreateDatagramEndpoint() {
	err := aio.Run(func(ctx *aio.Context) error {
		tr, _, err := aio.CreateDatagramEndpoint(ctx, func() *echoDatagrams { return &echoDatagrams{} }, "udp", "127.0.0.1:0", "")
		if err != nil {
			return err
		}
		defer tr.Close()
		c, err := aio.DialUDP(ctx, "udp", tr.LocalAddr().String())
		if err != nil {
			return err
		}
		defer c.Close()
		c.Write([]byte("echo?"))
		buf := make([]byte, 16)
		n, err := c.Read(buf)
		fmt.Printf("%s\n", buf[:n])
		return err
	})
	fmt.Println("error:", err)
	// Output:
	// echo?
	// error: <nil>
}

// ReusePort lets several listeners, typically one per loop and per core,
// share a port; the kernel spreads the connections among them.
func ExampleReusePort() {
	err := aio.Run(func(ctx *aio.Context) error {
		a, err := aio.Listen(ctx, "tcp", "127.0.0.1:0", aio.ReusePort())
		if err != nil {
			return err
		}
		defer a.Close()
		b, err := aio.Listen(ctx, "tcp", a.Addr().String(), aio.ReusePort())
		if err != nil {
			return err
		}
		defer b.Close()
		fmt.Println("two listeners on one port:", a.Addr().String() == b.Addr().String())
		_, err = aio.Listen(ctx, "tcp", a.Addr().String())
		fmt.Println("a third without ReusePort:", errors.Is(err, syscall.EADDRINUSE))
		return nil
	})
	fmt.Println("err:", err)
	// Output:
	// two listeners on one port: true
	// a third without ReusePort: true
	// err: <nil>
}
