import Foundation
import Environments

/// The end of `forager env build`: a table, or the JSON document.
struct EnvSummary: Encodable {
    var built: Int
    var failed: Int
    var diskBytes: Int64
    var seconds: Double
    var environments: [EnvResult]

    enum CodingKeys: String, CodingKey { case built, failed, diskBytes = "disk_bytes", seconds, environments }

    init(results: [EnvResult], diskBytes: Int64, seconds: Double) {
        built = results.filter { $0.status == .built }.count
        failed = results.count - built
        self.diskBytes = diskBytes
        self.seconds = seconds
        environments = results
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    func table() -> String {
        var rows = [["source", "status", "passed", "failed", "flaky", "seconds", "image MB", "image / cause"]]
        for r in environments {
            rows.append([r.source, r.status.rawValue, "\(r.testsPassed)", "\(r.testsFailed)", "\(r.flaky)", "\(Int(r.seconds))",
                         r.imageBytes.map { String(format: "%.0f", Double($0) / 1e6) } ?? "-",
                         r.status == .built ? (r.image ?? "") : "\(r.cause?.rawValue ?? "?"): \(r.detail ?? "")"])
        }
        let widths = (0..<rows[0].count - 1).map { i in rows.map { $0[i].count }.max() ?? 0 }
        var lines = rows.map { row in
            zip(row.dropLast(), widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ") + "  " + (row.last ?? "")
        }
        let total = built + failed
        lines.append("\(built)/\(total) built (\(total == 0 ? 0 : built * 100 / total)%), \(Int(seconds))s, images take \(String(format: "%.0f", Double(diskBytes) / 1e6)) MB together")
        for r in environments where r.status == .failed { if let log = r.log { lines.append("log of \(r.source): \(log)") } }
        return lines.joined(separator: "\n")
    }
}
