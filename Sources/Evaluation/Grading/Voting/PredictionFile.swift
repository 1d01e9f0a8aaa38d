import Foundation
import Tasks

/// A bad prediction file, naming the file and (for JSONL) the line.
public struct PredictionFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based line for JSONL input; nil for a whole-file problem.
    public var line: Int?
    public var message: String

    public var description: String { line.map { "\(file):\($0): \(message)" } ?? "\(file): \(message)" }
}

/// Reads vote samples from SWE-bench prediction files: JSONL, a JSON list, or a JSON object keyed by
/// instance id. A row has `instance_id`, `model_patch` (null or missing: ""), optionally
/// `model_name_or_path`, and optionally a boolean `resolved` or `passed` (missing: not passed). A row
/// holding a CWM trajectory (`rollouts`) is read as `tts_majority_voting.py` reads it.
public enum PredictionFile {
    public struct Row: Sendable, Equatable {
        public var sample: VoteSample
        public var modelNameOrPath: String?
        /// Whether the row carried an outcome.
        public var hasOutcome: Bool
    }

    public static func read(path: String) throws(PredictionFileError) -> [Row] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PredictionFileError(file: path, line: nil, message: "cannot read: no such file or not readable")
        }
        return try parse(data, file: path)
    }

    /// The rows of a file's text in any of the three shapes (read by `Tasks.RowFile`); the first
    /// problem is thrown with its line.
    public static func parse(_ data: Data, file: String) throws(PredictionFileError) -> [Row] {
        let parsed: (rows: [RowFile.Located], problems: [RowFile.Problem])
        do {
            parsed = try RowFile.parse(String(decoding: data, as: UTF8.self), file: file)
        } catch {
            throw PredictionFileError(file: file, line: nil, message: error.problems.first ?? "\(error)")
        }
        if let problem = parsed.problems.first {
            throw PredictionFileError(file: file, line: problem.line, message: problem.message)
        }
        var rows: [Row] = []
        for item in parsed.rows {
            do { rows.append(try row(.object(item.object), key: item.key)) } catch {
                throw PredictionFileError(file: file, line: item.line,
                                          message: item.line == nil ? "\(item.location): \(error.message)" : error.message)
            }
        }
        return rows
    }

    struct RowError: Error { var message: String }

    static func row(_ value: JSONValue, key: String?) throws(RowError) -> Row {
        guard case .object(let f) = value else { throw RowError(message: "expected a JSON object") }
        if let rollouts = f["rollouts"] { return try trajectoryRow(rollouts) }
        let id: String
        switch f["instance_id"] {
        case .string(let s)?: id = s
        case nil where key != nil: id = key ?? ""
        default: throw RowError(message: "missing or non-string instance_id")
        }
        let patch: String
        switch f["model_patch"] {
        case .string(let s)?: patch = s
        case .null?, nil: patch = ""
        default: throw RowError(message: "model_patch must be a string or null")
        }
        var passed: Bool?
        for name in ["resolved", "passed"] {
            switch f[name] {
            case .bool(let b)?: passed = passed ?? b
            case .null?, nil: break
            default: throw RowError(message: "\(name) must be a boolean")
            }
        }
        var model: String?
        if case .string(let s)? = f["model_name_or_path"] { model = s }
        return Row(sample: VoteSample(instanceID: id, patch: patch, passed: passed ?? false), modelNameOrPath: model,
                   hasOutcome: passed != nil)
    }

    /// `{"rollouts":[{"traj":{"transitions":[…]}}]}`: the first transition's `info.instance_id`, the
    /// last one's `info.pred_patch` ("" if missing or null) and `outcomes.pass`.
    static func trajectoryRow(_ rollouts: JSONValue) throws(RowError) -> Row {
        guard case .array(let list) = rollouts, case .object(let rollout)? = list.first,
              case .object(let traj)? = rollout["traj"], case .array(let transitions)? = traj["transitions"],
              case .object(let first)? = transitions.first, case .object(let last)? = transitions.last,
              case .object(let firstInfo)? = first["info"], case .string(let id)? = firstInfo["instance_id"] else {
            throw RowError(message: "trajectory without rollouts[0].traj.transitions[0].info.instance_id")
        }
        guard case .object(let outcomes)? = last["outcomes"], case .bool(let passed)? = outcomes["pass"] else {
            throw RowError(message: "trajectory without a boolean outcomes.pass on its last transition")
        }
        var patch = ""
        if case .object(let info)? = last["info"], case .string(let s)? = info["pred_patch"] { patch = s }
        return Row(sample: VoteSample(instanceID: id, patch: patch, passed: passed), modelNameOrPath: nil, hasOutcome: true)
    }
}
