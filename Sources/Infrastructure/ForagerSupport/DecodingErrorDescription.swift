/// A `DecodingError` in one line that names the key: `at choices[0].text: expected a string`.
extension DecodingError {
    public var keyAndProblem: String {
        func path(_ context: Context, appending key: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            var text = ""
            for key in keys {
                if let index = key.intValue { text += "[\(index)]" } else { text += (text.isEmpty ? "" : ".") + key.stringValue }
            }
            return text.isEmpty ? "the top level" : text
        }
        switch self {
        case .keyNotFound(let key, let context):
            return "\(path(context, appending: key)): missing"
        case .typeMismatch(let type, let context):
            return "\(path(context)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context)): expected \(type), found null"
        case .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(self)"
        }
    }
}

/// Any decoding failure in one line: a `DecodingError` names the key, anything else describes itself.
public func decodingProblem(_ error: any Error) -> String {
    (error as? DecodingError)?.keyAndProblem ?? "\(error)"
}
