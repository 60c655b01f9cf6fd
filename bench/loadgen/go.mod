// Module loadgen is the load generator and reference server of bench/'s
// network workloads. It is a module of its own (standard library only), so
// that the aio module does not contain it.
module aiobench/loadgen

go 1.26
