// Command fetch fetches users and posts from a JSON API with
// aiohttp.Client, first one after the other, then concurrently (two tasks
// gathered), and prints both times: the concurrent fetch takes about one
// request's latency instead of two.
//
// By default it runs offline: a fixture server (aiohttp.Server, shaped like
// JSONPlaceholder: /users, /posts; each answer delayed by 50 ms) starts on
// 127.0.0.1 in the same program and loop. -live asks
// https://jsonplaceholder.typicode.com.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/asyncgo/aio"
	"github.com/asyncgo/aio/aiohttp"
)

// User is a JSONPlaceholder user.
type User struct {
	ID    int    `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Post is a JSONPlaceholder post.
type Post struct {
	ID     int    `json:"id"`
	UserID int    `json:"userId"`
	Title  string `json:"title"`
}

const (
	liveBase = "https://jsonplaceholder.typicode.com"
	latency  = 50 * time.Millisecond
)

func fixtures() http.Handler {
	users := make([]User, 10)
	for i := range users {
		users[i] = User{ID: i + 1, Name: fmt.Sprintf("User %d", i+1), Email: fmt.Sprintf("user%d@example.com", i+1)}
	}
	posts := make([]Post, 100)
	for i := range posts {
		posts[i] = Post{ID: i + 1, UserID: i/10 + 1, Title: fmt.Sprintf("post %d", i+1)}
	}
	reply := func(v any) http.HandlerFunc {
		b, _ := json.Marshal(v)
		return func(w http.ResponseWriter, r *http.Request) {
			if aio.Sleep(aiohttp.TaskContext(r), latency) != nil {
				return
			}
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Write(b)
		}
	}
	m := http.NewServeMux()
	m.Handle("GET /users", reply(users))
	m.Handle("GET /posts", reply(posts))
	return m
}

// run runs the program against base ("" starts the fixture server),
// printing to w; the timings are printed only with times. It returns the
// sequential and concurrent durations.
func run(w io.Writer, base string, times bool) (seq, conc time.Duration, err error) {
	err = aio.Run(func(ctx *aio.Context) error {
		if base == "" {
			l, err := aio.Listen(ctx, "tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			srv := &aiohttp.Server{Handler: fixtures()}
			served := aio.Go(ctx.Loop(), func(ctx *aio.Context) error { srv.Serve(ctx, l); return nil })
			defer func() {
				srv.Close()
				served.Await(ctx)
			}()
			base = "http://" + l.Addr().String()
		}
		c := &aiohttp.Client{Timeout: aiohttp.Timeout{Total: 10 * time.Second}}
		defer c.CloseIdleConnections()

		start := time.Now()
		users, err := aiohttp.GetJSON[[]User](ctx, c, base+"/users")
		if err != nil {
			return err
		}
		posts, err := aiohttp.GetJSON[[]Post](ctx, c, base+"/posts")
		if err != nil {
			return err
		}
		seq = time.Since(start)
		fmt.Fprintf(w, "sequential: %d users, %d posts\n", len(users), len(posts))

		start = time.Now()
		ut := aio.Spawn(ctx, func(ctx *aio.Context) ([]User, error) { return aiohttp.GetJSON[[]User](ctx, c, base+"/users") })
		pt := aio.Spawn(ctx, func(ctx *aio.Context) ([]Post, error) { return aiohttp.GetJSON[[]Post](ctx, c, base+"/posts") })
		if users, err = ut.Await(ctx); err != nil {
			return err
		}
		if posts, err = pt.Await(ctx); err != nil {
			return err
		}
		conc = time.Since(start)
		fmt.Fprintf(w, "concurrent: %d users, %d posts\n", len(users), len(posts))
		fmt.Fprintf(w, "first user: %s <%s>, first post: %q\n", users[0].Name, users[0].Email, posts[0].Title)
		if times {
			fmt.Fprintf(w, "sequential took %v, concurrent took %v\n", seq.Round(time.Millisecond), conc.Round(time.Millisecond))
		}
		return nil
	})
	return seq, conc, err
}

func main() {
	live := flag.Bool("live", false, "ask jsonplaceholder.typicode.com instead of the local fixture server")
	flag.Parse()
	base := ""
	if *live {
		base = liveBase
	}
	if _, _, err := run(os.Stdout, base, true); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
