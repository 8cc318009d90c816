package store

// dialect confines the differences between database engines. Queries are
// written once with '?' placeholders and portable SQL.
type dialect interface {
	// rebind rewrites '?' placeholders into the engine's form.
	rebind(query string) string
}

type sqliteDialect struct{}

func (sqliteDialect) rebind(query string) string { return query }
