package lnwire

// spec.csv is extracted from the BOLT markdown (directory from
// $FULMEN_BOLTS_DIR, else spec/bolts in the module) and
// messages_gen.go is generated from spec.csv. tools/wiregen/check.sh checks
// that both are up to date.
//go:generate go run ../tools/wiregen extract -out spec.csv
//go:generate go run ../tools/wiregen generate -in spec.csv -out messages_gen.go
