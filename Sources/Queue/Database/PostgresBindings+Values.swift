import PostgresNIO

extension PostgresBindings {
    /// Bindings for `values` in order, NULL for nil: a prepared statement's `makeBindings()` in one line.
    package static func values<each Value: PostgresDynamicTypeEncodable>(_ values: repeat (each Value)?) -> PostgresBindings {
        var bindings = PostgresBindings()
        repeat bindings.append(each values)
        return bindings
    }
}
