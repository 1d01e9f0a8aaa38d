/// How tool feedback reaches the model (spec §1.6, §1.7, §1.10).
public enum ToolOutputFormat {
    /// CWM's `BUDGET_NOTICE_TEMPLATE` with its placeholders unfilled. CWM estimates the size of
    /// a tool message from a body that holds this literal text.
    public static let unformattedBudgetNotice =
        "<budget>\n* Remaining turns: {remaining_turns}\n* Remaining tokens: {remaining_tokens}\n</budget>"

    /// `"<output>\n{feedback}\n</output>"`. Bash output keeps its own trailing newline.
    public static func wrap(_ feedback: String) -> String {
        "<output>\n" + feedback + "\n</output>"
    }

    /// `"<budget>\n* Remaining turns: {T}\n* Remaining tokens: {K}\n</budget>"`.
    public static func budgetNotice(remainingTurns: Int, remainingTokens: Int) -> String {
        "<budget>\n* Remaining turns: \(remainingTurns)\n* Remaining tokens: \(remainingTokens)\n</budget>"
    }

    /// The body of the tool message: wrapped feedback, a blank line, the budget notice.
    public static func toolMessageBody(feedback: String, remainingTurns: Int, remainingTokens: Int) -> String {
        wrap(feedback) + "\n\n" + budgetNotice(remainingTurns: remainingTurns, remainingTokens: remainingTokens)
    }

    /// The body CWM encodes to estimate the tool message's size before the budget is known.
    public static func estimationBody(feedback: String) -> String {
        wrap(feedback) + "\n\n" + unformattedBudgetNotice
    }

    /// The feedback after a successful diff submit (CWM's `SUBMISSION_FEEDBACK_PROMPT`).
    public static func submissionFeedback(patch: String) -> String {
        "The following patch content is marked as your final submission:\n\n<submission>\n"
            + patch
            + "\n</submission>\n\nReview the patch content and ensure it correctly resolves the issue. If necessary, you can continue refining the patch and submit an updated version."
    }

    /// The feedback after a successful file submit in the test-generation env.
    public static func testSubmissionFeedback(test: String) -> String {
        "Review the following test which is marked as a submission:\n\n<submission>\n" + test + "\n</submission>"
    }
}
