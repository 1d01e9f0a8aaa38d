import Agent
import Foundation
import Sandbox

/// How to replay: the chat format and prompts the episode was run with (neither is stored with
/// a run), the sandbox limits, and optionally another image.
public struct ReplaySettings: Sendable {
    public var format: any ChatFormat
    public var templates: PromptTemplates
    /// Sandbox limits; image, repository and ids are filled in from the episode.
    public var sandbox: SandboxConfig
    /// Run the replay in this image instead of the task's.
    public var image: String?
    /// Seconds the hidden tests may run when model mode grades the patch again.
    public var gradeTimeout: Duration

    public init(format: any ChatFormat, templates: PromptTemplates = .builtIn, sandbox: SandboxConfig = SandboxConfig(image: ""),
                image: String? = nil, gradeTimeout: Duration = .seconds(600)) {
        self.format = format
        self.templates = templates
        self.sandbox = sandbox
        self.image = image
        self.gradeTimeout = gradeTimeout
    }
}
