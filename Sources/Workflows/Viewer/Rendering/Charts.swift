import Foundation

/// Bar charts as inline SVG, drawn on the server (no script, nothing fetched).
enum Charts {
    struct Segment {
        var value: Double
        var color: String
        var name: String
    }

    struct Bar {
        var label: String
        var segments: [Segment]
        var total: Double { segments.reduce(0) { $0 + $1.value } }
    }

    static let outcomeColors: [String: String] = [
        "resolved": "#1a7f37", "unresolved": "#cf222e", "ungraded": "#8c959f", "error": "#bc4c00", "unfinished": "#8250df",
    ]

    /// Vertical bars, stacked by segment, scaled to the tallest; a tooltip (`<title>`) per bar.
    static func columns(id: String, title: String, bars: [Bar], unit: String, legend: [(String, String)],
                        width: Int = 580, height: Int = 230) -> String {
        let left = 48.0, right = 8.0, top = 22.0, bottom = 28.0
        let plotWidth = Double(width) - left - right, plotHeight = Double(height) - top - bottom
        let maximum = niceCeiling(bars.map(\.total).max() ?? 0)
        let slot = bars.isEmpty ? plotWidth : plotWidth / Double(bars.count)
        let barWidth = max(1, min(40, slot * 0.8))
        var svg = "<svg class=\"chart\" id=\"\(HTML.escape(id))\" data-chart=\"\(HTML.escape(id))\" role=\"img\" "
            + "aria-label=\"\(HTML.escape(title))\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">"
        svg += axis(left: left, top: top, plotWidth: plotWidth, plotHeight: plotHeight, maximum: maximum, unit: unit)
        for (index, bar) in bars.enumerated() {
            let x = left + Double(index) * slot + (slot - barWidth) / 2
            var y = top + plotHeight
            let tip = "\(bar.label): " + bar.segments.map { "\($0.name) \(format($0.value))" }.joined(separator: ", ")
            svg += "<g class=\"bar\"><title>\(HTML.escape(tip))</title>"
            for segment in bar.segments where segment.value > 0 {
                let h = segment.value / maximum * plotHeight
                y -= h
                svg += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(barWidth))\" height=\"\(f(h))\" fill=\"\(segment.color)\"></rect>"
            }
            svg += "</g>"
            if bars.count <= 12 {
                svg += "<text x=\"\(f(x + barWidth / 2))\" y=\"\(f(top + plotHeight + 14))\" text-anchor=\"middle\">"
                    + HTML.escape(shorten(bar.label, to: max(4, Int(slot / 6.5)))) + "</text>"
            }
        }
        if bars.count > 12 {
            svg += "<text x=\"\(f(left))\" y=\"\(f(top + plotHeight + 14))\">\(bars.count) episodes</text>"
        }
        svg += legendItems(legend, x: left + 40, y: 12)
        return box(title: title, svg: svg + "</svg>")
    }

    /// One horizontal bar per row, as a share of 100 %.
    static func rates(id: String, title: String, rows: [(label: String, rate: Double?, note: String)],
                      width: Int = 580) -> String {
        let rowHeight = 22.0, labelWidth = 210.0, right = 50.0, top = 6.0
        let height = Int(top * 2 + rowHeight * Double(max(rows.count, 1)))
        let plotWidth = Double(width) - labelWidth - right
        var svg = "<svg class=\"chart\" id=\"\(HTML.escape(id))\" data-chart=\"\(HTML.escape(id))\" role=\"img\" "
            + "aria-label=\"\(HTML.escape(title))\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">"
        for (index, row) in rows.enumerated() {
            let y = top + Double(index) * rowHeight
            svg += "<text x=\"\(f(labelWidth - 6))\" y=\"\(f(y + 15))\" text-anchor=\"end\">"
                + HTML.escape(shorten(row.label, to: 34)) + "</text>"
            svg += "<rect x=\"\(f(labelWidth))\" y=\"\(f(y + 4))\" width=\"\(f(plotWidth))\" height=\"14\" fill=\"#eef1f4\"></rect>"
            if let rate = row.rate {
                svg += "<g class=\"bar\"><title>\(HTML.escape("\(row.label): \(row.note)"))</title>"
                    + "<rect x=\"\(f(labelWidth))\" y=\"\(f(y + 4))\" width=\"\(f(plotWidth * min(max(rate, 0), 1)))\" height=\"14\" fill=\"#1a7f37\"></rect></g>"
            }
            svg += "<text x=\"\(f(labelWidth + plotWidth + 6))\" y=\"\(f(y + 15))\">"
                + HTML.escape(row.rate.map { String(format: "%.0f%%", $0 * 100) } ?? "–") + "</text>"
        }
        if rows.isEmpty {
            svg += "<text x=\"8\" y=\"20\">no runs</text>"
        }
        return box(title: title, svg: svg + "</svg>")
    }

    private static func axis(left: Double, top: Double, plotWidth: Double, plotHeight: Double,
                             maximum: Double, unit: String) -> String {
        var svg = "<line x1=\"\(f(left))\" y1=\"\(f(top + plotHeight))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(top + plotHeight))\" stroke=\"#8c959f\"></line>"
        for fraction in [0.5, 1.0] {
            let y = top + plotHeight * (1 - fraction)
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y))\" stroke=\"#e4e8ec\"></line>"
            svg += "<text x=\"\(f(left - 4))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(format(maximum * fraction))</text>"
        }
        svg += "<text x=\"\(f(left - 4))\" y=\"\(f(top + plotHeight + 4))\" text-anchor=\"end\">0</text>"
        svg += "<text x=\"4\" y=\"12\">\(HTML.escape(unit))</text>"
        return svg
    }

    private static func legendItems(_ items: [(String, String)], x: Double, y: Double) -> String {
        var svg = ""
        var position = x
        for (name, color) in items {
            svg += "<rect x=\"\(f(position))\" y=\"\(f(y - 9))\" width=\"10\" height=\"10\" fill=\"\(color)\"></rect>"
            svg += "<text x=\"\(f(position + 14))\" y=\"\(f(y))\">\(HTML.escape(name))</text>"
            position += 24 + Double(name.count) * 6.5
        }
        return svg
    }

    /// The smallest of 1, 2, 2.5, 5 × 10ⁿ (at least 1) not below `value`: round axis labels.
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 1 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for step in [1.0, 2.0, 2.5, 5.0, 10.0] where step * magnitude >= value { return step * magnitude }
        return 10 * magnitude
    }

    private static func box(title: String, svg: String) -> String {
        "<figure class=\"chart-box\"><h3>\(HTML.escape(title))</h3>\(svg)</figure>"
    }

    private static func shorten(_ text: String, to length: Int) -> String {
        text.count <= length ? text : "…" + String(text.suffix(length - 1))
    }

    static func format(_ value: Double) -> String {
        if value >= 10_000 { return String(format: "%.0fk", value / 1000) }
        if value == value.rounded() { return String(Int(value)) }
        return String(format: "%.1f", value)
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
