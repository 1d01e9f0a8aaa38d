import Foundation

/// Text-to-HTML helpers. Every value that comes from the database goes through `escape` (or
/// `attribute`) before it reaches a page; markup is only ever written by this module.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A query string from (name, value) pairs, nil values left out, percent-encoded for a URL.
    static func query(_ pairs: [(String, String?)]) -> String {
        let encoded = pairs.compactMap { name, value -> String? in
            guard let value, !value.isEmpty else { return nil }
            return "\(name)=\(percentEncode(value))"
        }
        return encoded.isEmpty ? "" : "?" + encoded.joined(separator: "&")
    }

    static func percentEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    /// `/episode?id=…` style link target, escaped for an attribute.
    static func href(_ path: String, _ pairs: [(String, String?)]) -> String {
        escape(path + query(pairs))
    }

    static func link(_ path: String, _ pairs: [(String, String?)], text: String, cssClass: String? = nil) -> String {
        let classAttribute = cssClass.map { " class=\"\(escape($0))\"" } ?? ""
        return "<a href=\"\(href(path, pairs))\"\(classAttribute)>\(escape(text))</a>"
    }

    /// A whole page: title, the navigation bar, and `body` (already HTML).
    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) · forager view</title>
        <style>\(Style.css)</style>
        </head>
        <body>
        <nav class="top"><a href="/" class="brand">forager view</a> <a href="/">Runs</a> <a href="/episodes">Episodes</a> <a href="/traces">Traces</a></nav>
        <main>
        \(body)
        </main>
        </body>
        </html>
        """
    }

    static func badge(_ result: String) -> String {
        "<span class=\"badge outcome-\(escape(result))\">\(escape(result))</span>"
    }

    static func number(_ value: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.groupingSeparator = ","
        formatter.usesGroupingSeparator = true
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }

    static func percent(_ numerator: Int, of denominator: Int) -> String {
        guard denominator > 0 else { return "–" }
        return String(format: "%.1f%%", Double(numerator) / Double(denominator) * 100)
    }

    static func date(_ date: Date?) -> String {
        guard let date else { return "–" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        return formatter.string(from: date)
    }

    static func seconds(_ value: Double?) -> String {
        guard let value else { return "–" }
        return value < 10 ? String(format: "%.2f s", value) : String(format: "%.0f s", value)
    }
}
