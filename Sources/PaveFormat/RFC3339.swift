import Foundation

/// RFC 3339 timestamps, and the deterministic `created` value of a manifest.
public enum RFC3339 {
    /// Parses `2026-01-31T12:00:00Z`, with optional fractional seconds and a numeric offset.
    public static func parse(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: s)
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` in UTC (whole seconds).
    public static func format(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
    }

    /// The `created` timestamp of a pack, never "now": `explicit` (normalised to UTC, whole seconds) if given,
    /// else `SOURCE_DATE_EPOCH` from `environment`, else the newest modification time of `inputs`.
    /// - Throws: ``PaveFormatError/invalidOption(option:reason:)`` for an invalid `SOURCE_DATE_EPOCH`,
    ///   ``PaveFormatError/io(path:reason:)`` when an input does not exist or cannot be stat'ed.
    public static func created(at explicit: Date?, environment: [String: String], inputs: [URL]) throws -> String {
        if let explicit { return format(explicit) }
        if let epoch = environment["SOURCE_DATE_EPOCH"] {
            guard let secs = Int64(epoch), secs >= 0 else {
                throw PaveFormatError.invalidOption(option: "SOURCE_DATE_EPOCH", reason: "\"\(epoch)\" is not a non-negative integer")
            }
            return format(Date(timeIntervalSince1970: TimeInterval(secs)))
        }
        var newest = Date(timeIntervalSince1970: 0)
        for url in inputs {
            guard FileManager.default.fileExists(atPath: url.path) else {
                throw PaveFormatError.io(path: url.path, reason: "no such file or directory")
            }
            let attrs: [FileAttributeKey: Any]
            do { attrs = try FileManager.default.attributesOfItem(atPath: url.path) } catch {
                throw PaveFormatError.io(path: url.path, reason: "cannot read its modification time")
            }
            if let d = attrs[.modificationDate] as? Date, d > newest { newest = d }
        }
        return format(newest)
    }

    /// ``created(at:environment:inputs:)`` with `explicit` given as RFC 3339 text.
    /// - Throws: ``PaveFormatError/invalidOption(option:reason:)`` when `explicit` is not an RFC 3339 timestamp.
    public static func created(explicit: String?, environment: [String: String], inputs: [URL]) throws -> String {
        guard let explicit else { return try created(at: nil, environment: environment, inputs: inputs) }
        guard let d = parse(explicit) else {
            throw PaveFormatError.invalidOption(option: "created", reason: "\"\(explicit)\" is not an RFC 3339 timestamp like 2026-01-31T12:00:00Z")
        }
        return format(d)
    }
}
