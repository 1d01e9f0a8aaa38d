import Foundation

/// The one mapping from an id (an instance id, a model name) to a file or folder name: `/`
/// becomes `__` (SWE-bench's convention), so a name never leaves the folder it is put in. Ids
/// the mapping cannot make a usable name of are refused where they are read (`unusableReason`).
public enum FileNames {
    /// The name for `id`; total, and safe even for an id `unusableReason` refuses (such an id
    /// gets a name that cannot be `.` or `..` nor hold a control character).
    public static func name(for id: String) -> String {
        var name = id.replacingOccurrences(of: "/", with: "__")
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            scalars.append(scalar.properties.generalCategory == .control ? Unicode.Scalar(UInt8(ascii: "_")) : scalar)
        }
        name = String(scalars)
        if name.isEmpty || name == "." || name == ".." { name = "_" + name }
        if name.utf8.count > maxBytes { name = String(decoding: name.utf8.prefix(maxBytes), as: UTF8.self) }
        return name
    }

    /// Why `id` cannot name a file, or nil when `name(for:)` keeps it whole and distinct.
    public static func unusableReason(_ id: String) -> String? {
        if id.isEmpty { return "it is empty" }
        if id == "." || id == ".." { return "it is \"\(id)\"" }
        if id.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "it holds a control character (a NUL, a newline)"
        }
        let mapped = id.replacingOccurrences(of: "/", with: "__")
        if mapped.utf8.count > maxBytes { return "it is longer than \(maxBytes) bytes as a file name" }
        return nil
    }

    /// Linux's limit on one path component is 255 bytes; room is left for a suffix (`.traj.json`).
    static let maxBytes = 200
}
