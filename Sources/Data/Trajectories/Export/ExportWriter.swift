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
        }
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
