@preconcurrency import Crypto
import PaveFormat

/// One signed file of an OMS statement: its path relative to the signed model (`"."` when a single file was
/// signed) and the SHA-256 of its bytes.
public struct OMSResource: Sendable, Equatable {
    public var name: String
    public var digest: PaveFormat.Digest

    public init(name: String, digest: PaveFormat.Digest) {
        self.name = name
        self.digest = digest
    }
}

/// The in-toto Statement v1 an OMS signature covers (predicate `https://model_signing/signature/v1.0`,
/// serialization method `files`), spec/signing.md §3.
public struct OMSStatement: Sendable, Equatable {
    public static let statementType = "https://in-toto.io/Statement/v1"
    public static let predicateType = "https://model_signing/signature/v1.0"
    /// The paths OMS leaves out when it hashes a directory; written as model_signing writes them.
    public static let defaultIgnorePaths = [".gitattributes", ".github", ".git", ".gitignore"]

    /// `subject[0].name`: the model's name (the file name for a single file).
    public var subjectName: String
    /// The signed files, sorted by name.
    public var resources: [OMSResource]
    /// `predicate.serialization.ignore_paths`.
    public var ignorePaths: [String]
    /// `predicate.serialization.allow_symlinks`.
    public var allowSymlinks: Bool

    /// A statement over `resources` (sorted here by name, as OMS requires).
    public init(subjectName: String, resources: [OMSResource], ignorePaths: [String] = OMSStatement.defaultIgnorePaths, allowSymlinks: Bool = false) {
        self.init(listed: subjectName, resources.sorted { Array($0.name.utf8).lexicographicallyPrecedes(Array($1.name.utf8)) },
                  ignorePaths: ignorePaths, allowSymlinks: allowSymlinks)
    }

    /// Keeps the resources in the order a parsed statement lists them (the subject digest follows that order).
    init(listed subjectName: String, _ resources: [OMSResource], ignorePaths: [String], allowSymlinks: Bool) {
        self.subjectName = subjectName
        self.resources = resources
        self.ignorePaths = ignorePaths
        self.allowSymlinks = allowSymlinks
    }

    /// The statement OMS writes for one file: one resource named `"."`, the subject named after the file.
    public static func singleFile(name: String, digest: PaveFormat.Digest) -> OMSStatement {
        OMSStatement(subjectName: name, resources: [OMSResource(name: ".", digest: digest)])
    }

    /// `subject[0].digest.sha256`: SHA-256 of the resources' raw 32-byte digests concatenated in order.
    public var subjectDigest: PaveFormat.Digest {
        var h = SHA256()
        for r in resources { h.update(data: r.digest.bytes) }
        return PaveFormat.Digest(finalizing: h)
    }

    /// The statement as JSON bytes (RFC 8785 canonical; the verifier parses whatever bytes were signed).
    public func encoded() -> [UInt8] {
        let value: JSONValue = .object([
            "_type": .string(Self.statementType),
            "subject": .array([.object(["name": .string(subjectName), "digest": .object(["sha256": .string(subjectDigest.hex)])])]),
            "predicateType": .string(Self.predicateType),
            "predicate": .object([
                "serialization": .object([
                    "method": .string("files"), "hash_type": .string("sha256"),
                    "allow_symlinks": .bool(allowSymlinks), "ignore_paths": .array(ignorePaths.map(JSONValue.string)),
                ]),
                "resources": .array(resources.map { .object(["name": .string($0.name), "algorithm": .string("sha256"), "digest": .string($0.digest.hex)]) }),
            ]),
        ])
        return CanonicalJSON.encode(value) ?? []
    }

    /// Parses a statement strictly (unknown fields refused, one subject, serialization method `files` with
    /// SHA-256), and checks that the subject digest is the hash of the resources.
    public static func parse(_ bytes: [UInt8], source: String) throws(SigningError) -> OMSStatement {
        let what = "signed statement in \(source)"
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch {
            throw SigningError(.malformedBundle, "\(what) is not JSON (an in-toto Statement v1 is expected)")
        }
        let top = try StrictObject(json, path: "", allowed: ["_type", "subject", "predicateType", "predicate"], what: what)
        let type = try top.string("_type", what: what)
        guard type == statementType else { throw SigningError(.malformedBundle, "\(what): _type \"\(type)\" is not \"\(statementType)\"") }
        let predicateType = try top.string("predicateType", what: what)
        guard predicateType == Self.predicateType else {
            throw SigningError(.unsupported, "\(what): predicateType \"\(predicateType)\" is not the OMS predicate \"\(Self.predicateType)\"")
        }
        let subjects = try top.array("subject", what: what)
        guard subjects.count == 1 else { throw SigningError(.malformedBundle, "\(what): \(subjects.count) subjects; OMS signs exactly one") }
        let subject = try StrictObject(subjects[0], path: "subject[0]", allowed: ["name", "digest"], what: what)
        let name = try subject.string("name", what: what)
        let digestObject = try StrictObject(try subject.value("digest", what: what), path: "subject[0].digest", allowed: ["sha256"], what: what)
        let subjectHex = try digestObject.string("sha256", what: what)
        guard let recorded = PaveFormat.Digest(hex: subjectHex) else {
            throw SigningError(.malformedBundle, "\(what): subject[0].digest.sha256 is not 64 lowercase hex digits")
        }

        let predicate = try StrictObject(try top.value("predicate", what: what), path: "predicate", allowed: ["serialization", "resources"], what: what)
        let serialization = try StrictObject(try predicate.value("serialization", what: what), path: "predicate.serialization",
                                             allowed: ["method", "hash_type", "allow_symlinks", "ignore_paths"], what: what)
        let method = try serialization.string("method", what: what)
        guard method == "files" else {
            throw SigningError(.unsupported, "\(what): serialization method \"\(method)\" is not supported (pavepkg verifies method \"files\")")
        }
        let hashType = try serialization.string("hash_type", what: what)
        guard hashType == "sha256" else {
            throw SigningError(.unsupported, "\(what): hash_type \"\(hashType)\" is not supported (pavepkg verifies \"sha256\")")
        }
        var allowSymlinks = false
        if serialization.has("allow_symlinks") {
            guard case let .bool(b) = try serialization.value("allow_symlinks", what: what) else {
                throw SigningError(.malformedBundle, "\(what): predicate.serialization.allow_symlinks is not a boolean")
            }
            allowSymlinks = b
        }
        var ignore: [String] = []
        if serialization.has("ignore_paths") {
            for (i, p) in try serialization.array("ignore_paths", what: what).enumerated() {
                guard case let .string(s) = p else { throw SigningError(.malformedBundle, "\(what): predicate.serialization.ignore_paths[\(i)] is not a string") }
                ignore.append(s)
            }
        }
        var resources: [OMSResource] = []
        for (i, r) in try predicate.array("resources", what: what).enumerated() {
            let entry = try StrictObject(r, path: "predicate.resources[\(i)]", allowed: ["name", "algorithm", "digest"], what: what)
            let algorithm = try entry.string("algorithm", what: what)
            guard algorithm == "sha256" else {
                throw SigningError(.unsupported, "\(what): predicate.resources[\(i)].algorithm \"\(algorithm)\" is not \"sha256\"")
            }
            guard let d = PaveFormat.Digest(hex: try entry.string("digest", what: what)) else {
                throw SigningError(.malformedBundle, "\(what): predicate.resources[\(i)].digest is not 64 lowercase hex digits")
            }
            resources.append(OMSResource(name: try entry.string("name", what: what), digest: d))
        }
        guard !resources.isEmpty else { throw SigningError(.malformedBundle, "\(what): predicate.resources is empty") }
        let statement = OMSStatement(listed: name, resources, ignorePaths: ignore, allowSymlinks: allowSymlinks)
        guard statement.subjectDigest == recorded else {
            throw SigningError(.subjectMismatch, "\(what): subject digest \(recorded.hex) is not the hash of the listed resources (\(statement.subjectDigest.hex)); the statement was edited")
        }
        return statement
    }
}
