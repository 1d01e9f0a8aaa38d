/// The name of SWE-bench's published per-instance image (`sweb.eval.<arch>.<id>`), in the remote
/// form its harness pulls: `<namespace>/sweb.eval.<arch>.<instance id, lowercased, "__" → "_1776_">:<tag>`,
/// optionally behind a registry `HOST:PORT`.
public struct OfficialImage: Sendable, Equatable {
    public var namespace: String
    public var arch: String
    /// `HOST:PORT` of the registry to pull from (nil: Docker Hub).
    public var registry: String?
    public var tag: String

    public init(namespace: String = "swebench", arch: String = "x86_64", registry: String? = nil, tag: String = "latest") {
        self.namespace = namespace
        self.arch = arch
        self.registry = registry
        self.tag = tag
    }

    /// The image for one instance id.
    public func name(for instanceID: String) -> String {
        let key = instanceID.lowercased().replacingOccurrences(of: "__", with: "_1776_")
        var parts: [String] = []
        if let registry, !registry.isEmpty { parts.append(registry) }
        if !namespace.isEmpty { parts.append(namespace) }
        parts.append("sweb.eval.\(arch).\(key)")
        return parts.joined(separator: "/") + ":" + tag
    }
}

extension TaskRow {
    /// The row with its image set to the official one under `official`, unless the row names its
    /// own `image`. The result names its image (so a stored copy keeps it).
    public func withOfficialImage(_ official: OfficialImage) -> TaskRow {
        guard !imageGiven else { return self }
        var row = self
        row.image = official.name(for: instanceID)
        row.imageGiven = true
        return row
    }
}
