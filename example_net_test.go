//go:build linux

package aio_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/asyncgo/aio"
)

// Dial and Listen give a net.Conn and a net.Listener for tasks: Read and
// Write suspend only the calling task, so bufio (or crypto/tls, or
// net/http's parsers) works unchanged.
func ExampleDial() {
	err := aio.Run(func(ctx *aio.Context) error {
		ln, err := aio.Listen(ctx, "tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer ln.Close()
		aio.Go(ctx, func(ctx *aio.Context) error {
			c, err := ln.Accept()
			if err != nil {
				return err
			}
			defer c.Close()
			line, err := bufio.NewReader(c).ReadString('\n')
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(c, "got %s", line)
			return err
		})
		c, err := aio.Dial(ctx, "tcp", ln.Addr().String())
		if err != nil {
			return err
		}
		defer c.Close()
		fmt.Fprintln(c, "hello")
		reply, err := bufio.NewReader(c).ReadString('\n')
		fmt.Print(reply)
		return err
	})
	fmt.Println("error:", err)
	// Output:
	// got hello
	// error: <nil>
}

// A Read waits in the root scope of its task; ReadContext (or a
// WithContext view) waits in a nested scope, here a timeout. On a virtual
// clock the 5 seconds pass at once.
func ExampleConn_ReadContext() {
	err := aio.Run(func(ctx *aio.Context) error {
		ln, err := aio.Listen(ctx, "tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer ln.Close()
		c, err := aio.Dial(ctx, "tcp", ln.Addr().String())
		if err != nil {
			return err
		}
		defer c.Close()
		rctx, cancel := aio.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		_, err = c.ReadContext(rctx, make([]byte, 1)) // the server never writes
		fmt.Println("timeout:", errors.Is(err, os.ErrDeadlineExceeded))
		return nil
	}, aio.WithClock(aio.NewVirtualClock(time.Time{})))
	fmt.Println("error:", err)
	// Output:
	// timeout: true
	// error: <nil>
}

// StartServer runs a handler in a task per connection; Stream is
// asyncio's StreamReader and StreamWriter.
func ExampleStartServer() {
	err := aio.Run(func(ctx *aio.Context) error {
		srv, err := aio.StartServer(ctx, "tcp", "127.0.0.1:0", func(ctx *aio.Context, s *aio.Stream) error {
			for {
				line, err := s.ReadLine(ctx)
				if err != nil {
					return nil
				}
				s.Write(ctx, append([]byte("echo: "), line...))
				if err := s.Drain(ctx); err != nil {
					return err
				}
			}
		})
		if err != nil {
			return err
		}
		s, err := aio.OpenConnection(ctx, "tcp", srv.Addr().String())
		if err != nil {
			return err
		}
		s.Write(ctx, []byte("ping\n"))
		s.Drain(ctx)
		reply, err := s.ReadLine(ctx)
		fmt.Printf("%s", reply)
		s.Close()
		return srv.Shutdown(ctx)
	})
	fmt.Println("error:", err)
	// Output:
	// echo: ping
	// error: <nil>
}
