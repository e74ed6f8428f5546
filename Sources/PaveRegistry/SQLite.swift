import CSQLite
import Foundation

// The only file that imports CSQLite. Every C call is wrapped here; each wrapper names the C function it
// maps to. Related SQLite documentation: https://sqlite.org/c3ref/intro.html

/// A value bound to, or read from, an SQL statement.
enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// One open SQLite connection (`sqlite3*`). Not shared between threads: each registry handle owns one.
final class SQLiteConnection {
    /// Path of the database file.
    let path: String
    private var handle: OpaquePointer?

    /// Opens (creating if needed) the database at `path` — `sqlite3_open_v2` with
    /// `SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX` — and sets a busy timeout
    /// (`sqlite3_busy_timeout`) so that concurrent writers wait instead of failing.
    init(path: String, busyTimeoutMilliseconds: Int32 = 30_000, readOnly: Bool = false) throws(RegistryError) {
        self.path = path
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw .database(path: path, operation: "open", code: rc, message: message)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
        // Defensive mode: SQL cannot corrupt the file through writable_schema and friends.
        _ = pave_sqlite3_db_config_defensive(db, 1)
    }

    deinit { close() }

    /// Closes the connection (`sqlite3_close_v2`); further use fails.
    func close() {
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    private func db(_ operation: String) throws(RegistryError) -> OpaquePointer {
        guard let handle else { throw .database(path: path, operation: operation, code: SQLITE_MISUSE, message: "connection closed") }
        return handle
    }

    private func error(_ operation: String, _ rc: Int32, sql: String? = nil) -> RegistryError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
        let op = sql.map { "\(operation) `\($0.prefix(120))`" } ?? operation
        return .database(path: path, operation: op, code: rc, message: message)
    }

    /// Runs one or more SQL statements without parameters (`sqlite3_exec`).
    func execute(_ sql: String) throws(RegistryError) {
        let db = try db("exec")
        var errmsg: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &errmsg)
        if rc != SQLITE_OK {
            let message = errmsg.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(errmsg)
            throw .database(path: path, operation: "exec `\(sql.prefix(120))`", code: rc, message: message)
        }
    }

    /// Compiles `sql` (`sqlite3_prepare_v3`).
    func prepare(_ sql: String) throws(RegistryError) -> SQLiteStatement {
        let db = try db("prepare")
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, 0, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error("prepare", rc, sql: sql) }
        return SQLiteStatement(connection: self, handle: stmt, sql: sql)
    }

    /// Runs `sql` with `bindings` to completion, returning the number of changed rows (`sqlite3_changes`).
    @discardableResult
    func run(_ sql: String, _ bindings: [SQLValue] = []) throws(RegistryError) -> Int {
        let stmt = try prepare(sql)
        try stmt.bind(bindings)
        while try stmt.step() {}
        return Int(sqlite3_changes(try db("changes")))
    }

    /// Runs a query and returns every row.
    func query(_ sql: String, _ bindings: [SQLValue] = []) throws(RegistryError) -> [SQLiteRow] {
        let stmt = try prepare(sql)
        try stmt.bind(bindings)
        var rows: [SQLiteRow] = []
        while try stmt.step() { rows.append(stmt.row()) }
        return rows
    }

    /// Runs a query and maps every row while the statement is positioned on it (no intermediate values:
    /// the fast path for listing thousands of rows).
    func query<T>(_ sql: String, _ bindings: [SQLValue] = [], map: (SQLiteCursor) throws -> T) throws -> [T] {
        let stmt = try prepare(sql)
        try stmt.bind(bindings)
        var out: [T] = []
        while try stmt.step() { out.append(try map(stmt.cursor)) }
        return out
    }

    /// Row id of the last insert (`sqlite3_last_insert_rowid`).
    var lastInsertRowID: Int64 { handle.map { sqlite3_last_insert_rowid($0) } ?? 0 }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`: the write lock is taken up front (waiting up to the busy
    /// timeout for other writers), so two processes installing at once serialise instead of deadlocking.
    /// Any error rolls the transaction back.
    func immediateTransaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Reads a `PRAGMA` returning one integer, e.g. `user_version`.
    func pragmaInteger(_ name: String) throws(RegistryError) -> Int64 {
        guard let row = try query("PRAGMA \(name)").first else { return 0 }
        return row.int(0) ?? 0
    }

    /// Whether the linked SQLite has FTS5 compiled in (`sqlite3_compileoption_used`).
    static var hasFTS5: Bool { sqlite3_compileoption_used("ENABLE_FTS5") != 0 }

    /// The linked SQLite version (`sqlite3_libversion`).
    static var libraryVersion: String { String(cString: sqlite3_libversion()) }

    fileprivate func raw(_ operation: String) throws(RegistryError) -> OpaquePointer { try db(operation) }
    fileprivate func makeError(_ operation: String, _ rc: Int32, sql: String) -> RegistryError { error(operation, rc, sql: sql) }
}

/// A compiled statement (`sqlite3_stmt*`), finalised when released.
final class SQLiteStatement {
    private let connection: SQLiteConnection
    private var handle: OpaquePointer?
    let sql: String

    fileprivate init(connection: SQLiteConnection, handle: OpaquePointer, sql: String) {
        self.connection = connection
        self.handle = handle
        self.sql = sql
    }

    /// `sqlite3_finalize`.
    deinit { sqlite3_finalize(handle) }

    /// Resets the statement for another run and clears its bindings (`sqlite3_reset`, `sqlite3_clear_bindings`).
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Binds `values` to parameters 1… (`sqlite3_bind_*`; text and blobs are copied: SQLITE_TRANSIENT).
    func bind(_ values: [SQLValue]) throws(RegistryError) {
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (i, value) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch value {
            case .null: rc = sqlite3_bind_null(handle, index)
            case let .integer(v): rc = sqlite3_bind_int64(handle, index, v)
            case let .real(v): rc = sqlite3_bind_double(handle, index, v)
            case let .text(s): rc = sqlite3_bind_text(handle, index, s, -1, transient)
            case let .blob(b):
                rc = b.withUnsafeBytes { sqlite3_bind_blob64(handle, index, $0.baseAddress, sqlite3_uint64($0.count), transient) }
            }
            guard rc == SQLITE_OK else { throw connection.makeError("bind parameter \(index)", rc, sql: sql) }
        }
    }

    /// Advances (`sqlite3_step`): `true` when a row is available, `false` when done.
    func step() throws(RegistryError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw connection.makeError("step", rc, sql: sql)
        }
    }

    /// Reads the current row's columns in place.
    var cursor: SQLiteCursor { SQLiteCursor(handle: handle) }

    /// The current row's columns (`sqlite3_column_*`).
    func row() -> SQLiteRow {
        let n = sqlite3_column_count(handle)
        var values: [SQLValue] = []
        values.reserveCapacity(Int(n))
        for i in 0..<n {
            switch sqlite3_column_type(handle, i) {
            case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(handle, i)))
            case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(handle, i)))
            case SQLITE_TEXT:
                if let p = sqlite3_column_text(handle, i) {
                    let count = Int(sqlite3_column_bytes(handle, i))
                    values.append(.text(String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self)))
                } else {
                    values.append(.text(""))
                }
            case SQLITE_BLOB:
                let count = Int(sqlite3_column_bytes(handle, i))
                if let p = sqlite3_column_blob(handle, i), count > 0 {
                    values.append(.blob([UInt8](UnsafeRawBufferPointer(start: p, count: count))))
                } else {
                    values.append(.blob([]))
                }
            default: values.append(.null)
            }
        }
        return SQLiteRow(values: values)
    }
}

/// Reading a result row's columns by index.
protocol SQLRowReading {
    func int(_ i: Int) -> Int64?
    func string(_ i: Int) -> String?
}

/// The row a statement is positioned on, read in place (`sqlite3_column_*`); valid only until the next step.
struct SQLiteCursor: SQLRowReading {
    fileprivate let handle: OpaquePointer?

    func int(_ i: Int) -> Int64? {
        let c = Int32(i)
        switch sqlite3_column_type(handle, c) {
        case SQLITE_INTEGER: return sqlite3_column_int64(handle, c)
        case SQLITE_FLOAT: return Int64(exactly: sqlite3_column_double(handle, c))
        default: return nil
        }
    }

    func string(_ i: Int) -> String? {
        let c = Int32(i)
        guard sqlite3_column_type(handle, c) == SQLITE_TEXT, let p = sqlite3_column_text(handle, c) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(handle, c))), as: UTF8.self)
    }
}

/// One result row, read by column index.
struct SQLiteRow: Sendable, SQLRowReading {
    let values: [SQLValue]

    func int(_ i: Int) -> Int64? {
        guard i < values.count else { return nil }
        switch values[i] {
        case let .integer(v): return v
        case let .real(v): return Int64(exactly: v)
        default: return nil
        }
    }

    func string(_ i: Int) -> String? {
        guard i < values.count, case let .text(s) = values[i] else { return nil }
        return s
    }
}
