// Module goroutines is the plain-goroutines competitor of bench/. It is a
// module of its own so that the aio module does not contain it.
module github.com/asyncgo/aio/bench/goroutines

go 1.26
