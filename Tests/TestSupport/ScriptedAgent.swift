import Foundation

/// A scripted agent's file for `forager run --scripted` (and forage): one JSON line per task,
/// `{"instance_id": …, "turns": […]}`, the turns in the order the agent says them.
public enum ScriptedAgent {
    /// Writes `scripts` (each an instance id and its turns, in this order) to `url`.
    public static func write(_ scripts: [(String, [String])], to url: URL) throws {
        var text = ""
        for (instanceID, turns) in scripts {
            let line = try JSONSerialization.data(withJSONObject: ["instance_id": instanceID, "turns": turns])
            text += String(decoding: line, as: UTF8.self) + "\n"
        }
        try Data(text.utf8).write(to: url)
    }
}
