/// An error the model is shown, rendered as CWM renders a Python exception:
/// `"{ExceptionClassName}: {message}"` (spec §1.5).
public protocol ModelFacingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The Python exception class name CWM raises (`FormatError`, `NoSuchToolError`).
    static var exceptionClassName: String { get }
    /// The exception message, byte-identical to CWM's.
    var message: String { get }
}

extension ModelFacingError {
    /// The text of the user message CWM sends after a format error in non-strict mode.
    public var renderedForModel: String { "\(Self.exceptionClassName): \(message)" }
    public var description: String { renderedForModel }
}

/// Renders any model-facing error as `"{ExceptionClassName}: {message}"`.
public func renderForModel(_ error: some ModelFacingError) -> String {
    error.renderedForModel
}

/// The model's turn does not hold exactly one well-formed tool call (or thinking end marker).
public struct FormatError: ModelFacingError {
    public static let exceptionClassName = "FormatError"
    public let message: String

    public init(_ message: String) {
        self.message = message
    }
}

/// The tool call names a tool that is not registered.
public struct NoSuchToolError: ModelFacingError {
    public static let exceptionClassName = "NoSuchToolError"
    public let toolName: String
    public var message: String { "Tool '\(toolName)' not found." }

    public init(toolName: String) {
        self.toolName = toolName
    }
}
