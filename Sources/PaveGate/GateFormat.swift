import Foundation
import PaveFormat

/// How the CI gate's report is written: for people, for programs, for JUnit consumers (GitLab, Jenkins), or
/// as GitHub Actions workflow commands.
public enum GateFormat: String, Sendable, CaseIterable, Codable {
    case text, json, junit, github

    /// The whole report in this format, ending with a newline.
    public func render(_ report: GateReport) -> String {
        switch self {
        case .text: return Self.text(report)
        case .json: return Self.json(report)
        case .junit: return Self.junit(report)
        case .github: return Self.github(report)
        }
    }

    /// The last line of every format but JSON.
    static func summary(_ r: GateReport) -> String {
        let mb = Double(r.bytes) / 1e6
        let rate = r.seconds > 0 ? String(format: ", %.1f MB/s", mb / r.seconds) : ""
        return "\(r.results.count) patch\(r.results.count == 1 ? "" : "es") verified in \(String(format: "%.2f", r.seconds)) s (\(String(format: "%.1f", mb)) MB\(rate)): \(r.passed) passed, \(r.failed) failed"
            + (r.policy.map { " under policy \($0)" } ?? "")
    }

    static func text(_ r: GateReport) -> String {
        var out = ""
        for result in r.results {
            if result.ok {
                out += "ok    \(result.path)\n"
            } else {
                let failed = result.checks.filter { !$0.passed }.map(\.name)
                out += "FAIL  \(result.path) (\(failed.joined(separator: ", ")))\n"
                for p in result.problems { out += "      \(p.code): \(p.message)\n" }
            }
        }
        return out + summary(r) + "\n"
    }

    static func json(_ r: GateReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        let data = (try? encoder.encode(r)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// JUnit XML as GitLab and Jenkins read it: one `<testsuite>` named `pavepkg verify`, one `<testcase>` per
    /// patch and check (`classname` = the file, `name` = the check), a `<failure>` carrying the messages of a
    /// failed check (a problem no check claims goes to the file's failed checks).
    static func junit(_ r: GateReport) -> String {
        var cases = ""
        var tests = 0, failures = 0
        for result in r.results {
            let perCheck = max(result.seconds / Double(max(result.checks.count, 1)), 0)
            for check in result.checks {
                tests += 1
                let time = String(format: "%.3f", perCheck)
                cases += "    <testcase classname=\"\(xml(result.path))\" name=\"\(xml(check.name))\" file=\"\(xml(result.path))\" time=\"\(time)\""
                if check.passed {
                    cases += "/>\n"
                    continue
                }
                failures += 1
                let messages = problems(of: check, in: result)
                let first = messages.first?.message ?? check.detail
                cases += ">\n      <failure message=\"\(xml(first))\" type=\"\(xml(messages.first?.code ?? check.name))\">"
                cases += xml(messages.map { "\($0.code): \($0.message)" }.joined(separator: "\n"))
                cases += "</failure>\n    </testcase>\n"
            }
        }
        let time = String(format: "%.3f", r.seconds)
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuites name="pavepkg verify" tests="\(tests)" failures="\(failures)" errors="0" time="\(time)">
              <testsuite name="pavepkg verify" tests="\(tests)" failures="\(failures)" errors="0" skipped="0" time="\(time)">

            """ + cases + """
              </testsuite>
            </testsuites>

            """
    }

    /// GitHub Actions workflow commands: an `::error file=…,title=…::` annotation per failed check, then the
    /// summary (as a `::notice` when everything passed).
    static func github(_ r: GateReport) -> String {
        var out = ""
        for result in r.results where !result.ok {
            for check in result.checks where !check.passed {
                let msg = problems(of: check, in: result).map { "\($0.code): \($0.message)" }.joined(separator: "\n")
                out += "::error file=\(property(result.path)),title=\(property("pavepkg verify: " + check.name))::\(data(msg.isEmpty ? check.detail : msg))\n"
            }
        }
        let line = summary(r)
        out += (r.ok ? "::notice title=pavepkg verify::\(data(line))\n" : "")
        return out + line + "\n"
    }

    /// The problems belonging to a failed check: those whose code prefix matches its name's family, else all
    /// the file's problems.
    static func problems(of check: PaveVerificationReport.Check, in result: GateResult) -> [PaveVerificationReport.Problem] {
        let family = check.name.split(separator: ".").first.map(String.init) ?? check.name
        let matching: [PaveVerificationReport.Problem]
        switch family {
        case "signature": matching = result.problems.filter { $0.code.hasPrefix("signing.") }
        case "policy": matching = result.problems.filter { $0.code.hasPrefix("policy.") }
        default: matching = result.problems.filter { !$0.code.hasPrefix("signing.") && !$0.code.hasPrefix("policy.") }
        }
        return matching.isEmpty ? result.problems : matching
    }

    /// XML attribute and text escaping; control characters other than tab and newline become spaces.
    static func xml(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n": out += "&#10;"
            case "\t": out += "&#9;"
            default: out.unicodeScalars.append(scalar.value < 0x20 ? " " : scalar)
            }
        }
        return out
    }

    /// Workflow command message escaping (`%`, CR, LF).
    static func data(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    /// Workflow command property escaping (also `:` and `,`).
    static func property(_ s: String) -> String {
        data(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
