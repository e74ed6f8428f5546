/// A `WWW-Authenticate` challenge (RFC 7235): the scheme and its parameters, e.g.
/// `Bearer realm="https://auth.example/token",service="registry",scope="repository:x:pull repository:x:push"`.
public struct AuthChallenge: Sendable, Equatable {
    /// Lowercased scheme: `basic` or `bearer` (others are kept but not answered).
    public var scheme: String
    /// Parameters, names lowercased, values unquoted.
    public var parameters: [String: String]

    public var realm: String? { parameters["realm"] }
    public var service: String? { parameters["service"] }
    public var scope: String? { parameters["scope"] }

    public init(scheme: String, parameters: [String: String]) {
        self.scheme = scheme; self.parameters = parameters
    }

    /// Parses every challenge in a header value (several may be comma-separated; a parameter list's commas are
    /// told apart from a new challenge by the `name=` that follows them). Malformed parts are skipped.
    public static func parse(_ header: String) -> [AuthChallenge] {
        let s = Array(header.unicodeScalars)
        var i = 0
        var out: [AuthChallenge] = []
        func skipSpace() { while i < s.count, s[i] == " " || s[i] == "\t" || s[i] == "," { i += 1 } }
        func token() -> String {
            var t = ""
            while i < s.count, s[i] != " ", s[i] != "\t", s[i] != ",", s[i] != "=" { t.unicodeScalars.append(s[i]); i += 1 }
            return t
        }
        while i < s.count {
            skipSpace()
            let scheme = token().lowercased()
            guard !scheme.isEmpty else { break }
            var params: [String: String] = [:]
            while i < s.count {
                skipSpace()
                let save = i
                let name = token().lowercased()
                while i < s.count, s[i] == " " { i += 1 }
                guard !name.isEmpty, i < s.count, s[i] == "=" else { i = save; break }  // a new challenge starts here
                i += 1
                while i < s.count, s[i] == " " { i += 1 }
                var value = ""
                if i < s.count, s[i] == "\"" {
                    i += 1
                    while i < s.count, s[i] != "\"" {
                        if s[i] == "\\", i + 1 < s.count { i += 1 }
                        value.unicodeScalars.append(s[i]); i += 1
                    }
                    i += 1
                } else {
                    value = token()
                }
                params[name] = value
            }
            out.append(AuthChallenge(scheme: scheme, parameters: params))
        }
        return out
    }
}
