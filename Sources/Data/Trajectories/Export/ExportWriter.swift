import Foundation

/// Writes an export: JSONL formats to a file (or returned for stdout), mini to a directory.
public enum ExportWriter {
    /// Writes `data` as `format`. `out` is a file for `cwm`/`preds` (nil: the text is returned,
    /// for stdout) and a directory for `mini` (nil: `<run id>.mini` in the working directory).
    /// Returns the JSONL text when it was not written to a file, else nil.
    @discardableResult
    public static func write(_ data: RunExport, format: ExportFormat, out: String?,
                             predsSample: Int? = 0) throws(TrajectoryError) -> String? {
        switch format {
        case .cwm:
            return try writeLines(CWMExport.lines(data), to: out)
        case .preds:
            return try writeLines(PredsExport.lines(data, sample: predsSample), to: out)
        case .mini:
            let directory = out ?? FileManager.default.currentDirectoryPath + "/\(data.run.id).mini"
            for item in data.episodes {
                let path = directory + "/" + MiniExport.relativePath(instanceID: item.episode.instanceID)
                let text = MiniExport.trajectory(run: data.run, item).serialized() + "\n"
                try writeFile(text, to: path)
            }
            return nil
        case .cwmTrace, .traceJSON:
            throw .export(target: out ?? "stdout", message: "\(format.rawValue) exports traces: use writeTraces")
        }
    }

    /// Writes traces as `cwm-trace` (complete traces only) or `trace-json` lines. Returns the text
    /// when `out` is nil, and how many traces were written.
    public static func writeTraces(_ traces: [TraceRecord], format: ExportFormat, out: String?) throws(TrajectoryError) -> (text: String?, written: Int) {
        let lines: [String]
        switch format {
        case .cwmTrace: lines = traces.filter(\.isComplete).map { TraceExport.cwmLine($0).serialized() }
        case .traceJSON: lines = traces.map { TraceExport.json($0).serialized() }
        default: throw .export(target: out ?? "stdout", message: "\(format.rawValue) is not a trace format")
        }
        return (try writeLines(lines, to: out), lines.count)
    }

    /// JSONL lines to `out`, or returned for stdout when `out` is nil.
    public static func writeLines(_ lines: [String], to out: String?) throws(TrajectoryError) -> String? {
        let text = lines.map { $0 + "\n" }.joined()
        guard let out else { return text }
        try writeFile(text, to: out)
        return nil
    }

    static func writeFile(_ text: String, to path: String) throws(TrajectoryError) {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(),
                                                    withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw .export(target: path, message: error.localizedDescription)
        }
    }
}
