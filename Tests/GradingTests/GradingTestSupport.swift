import Foundation
import Tasks
import TestSupport

func demoTasks() throws -> [TaskRow] {
    try TaskLoader.load(packageRoot.appendingPathComponent("Tasks/demo/tasks.jsonl").path)
}
