import Foundation

/// Which Python an environment gets: the newest of the bases Forager has whose version satisfies
/// the project's `requires-python` (and, without one, its `Programming Language :: Python :: 3.X` classifiers).
public enum PythonChoice {
    /// The Pythons with a base image (`forager/base:bookworm` has 3.11).
    public static let available: [String] = ["3.11"]

    public static func choose(requiresPython: String?, classifiers: [String]) -> String? {
        let candidates = available.sorted { compare($0, $1) > 0 }
        if let spec = requiresPython, !spec.trimmingCharacters(in: .whitespaces).isEmpty {
            return candidates.first { satisfies($0, spec) }
        }
        let listed = classifiers.compactMap { c -> String? in
            let prefix = "Programming Language :: Python :: "
            guard c.hasPrefix(prefix) else { return nil }
            let v = String(c.dropFirst(prefix.count))
            return v.split(separator: ".").count == 2 ? v : nil
        }
        guard let oldest = listed.min(by: { compare($0, $1) < 0 }) else { return candidates.first }
        // A Python newer than the classifiers name usually works; one older than all of them does not.
        return candidates.first { compare($0, oldest) >= 0 }
        return nil
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
