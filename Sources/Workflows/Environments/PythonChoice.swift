import Foundation

/// Which Python an environment gets, from the bases Debian's releases give: 3.9 (bullseye),
/// 3.11 (bookworm, the base every other image uses) and 3.13 (trixie).
///
/// 3.11 whenever the project allows it: its `requires-python`, and its
/// `Programming Language :: Python :: 3.X` classifiers when they name versions (a Python older than
/// all of them rules it out, and so does one newer than all of them, since old releases break on
/// new Pythons). Otherwise the allowed base nearest the classifiers' range: the newest allowed
/// that is not newer than the classifiers name, else the oldest allowed one.
public enum PythonChoice {
    /// The Pythons a base image is made for (`Images/base`, `Images/base-bullseye`, `Images/base-trixie`).
    public static let available: [String] = EnvBaseImage.debianBases.keys.sorted { compare($0, $1) < 0 }
    /// The one chosen when the project allows it.
    public static let preferred = "3.11"

    public struct Choice: Sendable, Equatable {
        public var version: String
        /// Why, in words for the spec and the build's result.
        public var reason: String
    }

    public static func choose(requiresPython: String?, classifiers: [String]) -> String? {
        choice(requiresPython: requiresPython, classifiers: classifiers)?.version
    }

    public static func choice(requiresPython: String?, classifiers: [String]) -> Choice? {
        let spec = requiresPython?.trimmingCharacters(in: .whitespaces) ?? ""
        let allowed = available.filter { spec.isEmpty || satisfies($0, spec) }.sorted { compare($0, $1) < 0 }
        guard !allowed.isEmpty else { return nil }
        let listed = classifiers.compactMap { c -> String? in
            let prefix = "Programming Language :: Python :: "
            guard c.hasPrefix(prefix) else { return nil }
            let v = String(c.dropFirst(prefix.count))
            return v.split(separator: ".").count == 2 && v.hasPrefix("3.") ? v : nil
        }
        let range = spec.isEmpty ? "no requires-python" : "requires-python \(spec)"
        guard let oldest = listed.min(by: { compare($0, $1) < 0 }), let newest = listed.max(by: { compare($0, $1) < 0 }) else {
            if allowed.contains(preferred) { return Choice(version: preferred, reason: "\(range), no version classifiers: the default") }
            // Nothing but requires-python to go by: the newest it allows (specs with a lower bound are the common case).
            return allowed.last.map { Choice(version: $0, reason: "\(range) excludes \(preferred)") }
        }
        let inRange = allowed.filter { compare($0, oldest) >= 0 && compare($0, newest) <= 0 }
        let classified = "classifiers \(oldest)–\(newest)"
        if inRange.contains(preferred) { return Choice(version: preferred, reason: "\(range), \(classified): the default") }
        if let best = inRange.last { return Choice(version: best, reason: "\(range), \(classified) exclude \(preferred)") }
        // No base inside the classifiers' range: the nearest allowed one.
        if let below = allowed.last(where: { compare($0, newest) <= 0 }) {
            return Choice(version: below, reason: "\(range), \(classified): the newest base not newer than they name")
        }
        return allowed.first.map { Choice(version: $0, reason: "\(range), \(classified): the oldest base allowed") }
    }

    /// PEP 440 specifiers, as far as major.minor versions need (>=, >, <=, <, ==, !=, ~=, wildcards).
    public static func satisfies(_ version: String, _ spec: String) -> Bool {
        for clause in spec.split(separator: ",") {
            let c = clause.trimmingCharacters(in: .whitespaces)
            guard !c.isEmpty else { continue }
            let ops = ["~=", "==", "!=", ">=", "<=", ">", "<"]
            guard let op = ops.first(where: { c.hasPrefix($0) }) else { continue }
            var target = c.dropFirst(op.count).trimmingCharacters(in: .whitespaces)
            let wildcard = target.hasSuffix(".*")
            if wildcard { target = String(target.dropLast(2)) }
            let cmp = compare(version, target, depth: wildcard || op == "==" || op == "!=" ? target.split(separator: ".").count : 3)
            let ok: Bool
            switch op {
            case ">=": ok = cmp >= 0
            case ">": ok = cmp > 0
            case "<=": ok = cmp <= 0
            case "<": ok = cmp < 0
            case "==": ok = cmp == 0
            case "!=": ok = cmp != 0
            default: // ~=X.Y means >=X.Y, ==X.*
                let parts = target.split(separator: ".")
                ok = cmp >= 0 && compare(version, parts.dropLast().joined(separator: "."), depth: max(1, parts.count - 1)) == 0
            }
            if !ok { return false }
        }
        return true
    }

    /// Compares dotted versions over their first `depth` numbers (missing numbers are 0).
    static func compare(_ a: String, _ b: String, depth: Int = 3) -> Int {
        let x = a.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 }
        let y = b.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 }
        for i in 0..<depth {
            let p = i < x.count ? x[i] : 0, q = i < y.count ? y[i] : 0
            if p != q { return p < q ? -1 : 1 }
        }
        return 0
    }
}
