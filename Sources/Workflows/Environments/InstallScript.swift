import Foundation

/// The shell script run in the build container: the source to `/testbed` as a git commit (or its
/// own history), the project installed editable, then the first test-dependency install that
/// works, then the pytest plugins. It leaves its findings in `/forager/`.
enum InstallScript {
    /// `history`: commit messages of earlier releases, whose trees are `/forager-ctx/releases/<i>`, oldest first.
    static func make(layout: ProjectLayout, message: String, uploadTime: String?, history: [String] = []) -> String {
        var lines: [String] = [
            "#!/bin/bash",
            "set -u",
            "mkdir -p /forager",
            history.isEmpty ? "cp -a /forager-ctx/testbed /testbed && cd /testbed || exit 11" : "mkdir /testbed && cd /testbed && git init -q -b main || exit 11",
        ]
        // Consecutive releases as consecutive commits (a day apart), then the release itself.
        for (i, msg) in (history + [message]).enumerated() where !history.isEmpty {
            let tree = i < history.count ? "/forager-ctx/releases/\(i)" : "/forager-ctx/testbed"
            let day = "'\(1_714_564_800 + i * 86_400) +0000'"
            lines.append("find . -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} + && cp -a \(tree)/. . && git add -A --force && "
                + "GIT_AUTHOR_NAME=forager GIT_AUTHOR_EMAIL=forager@localhost GIT_COMMITTER_NAME=forager GIT_COMMITTER_EMAIL=forager@localhost "
                + "GIT_AUTHOR_DATE=\(day) GIT_COMMITTER_DATE=\(day) git commit -q --allow-empty -m \(quote(msg)) || exit 11")
        }
        lines += [
            "if [ -d .git ]; then git reset -q --hard; else commit-testbed \(quote(message)) >/dev/null || exit 11; fi",
            "git rev-parse HEAD > /forager/commit",
            "if [ -n \(quote(uploadTime ?? "")) ] && pip install --help | grep -q -- --uploaded-prior-to; then export PIP_UPLOADED_PRIOR_TO=\(quote(uploadTime ?? "")); echo \"$PIP_UPLOADED_PRIOR_TO\" > /forager/resolved-as-of; fi",
            "try() { label=\"$1\"; shift; echo \"### try $label: pip install $*\"; pip install \"$@\" > /tmp/try.log 2>&1; s=$?; cat /tmp/try.log;"
                + " if [ $s -eq 0 ]; then echo \"$label\" >> /forager/installed; echo \"### ok $label\";"
                + " else err=$(grep -E '^ *(ERROR|error|[A-Za-z]*Error)[: ]' /tmp/try.log | grep -v 'subprocess-exited-with-error' | tail -1);"
                // A build backend's own last words come before pip's "[end of output]".
                + " why=$(awk '/\\[end of output\\]/{print prev} {if (NF) prev=$0}' /tmp/try.log | tail -1 | sed 's/^ *//');"
                + " echo \"$err${why:+ — $why}\" > /forager/last-error; echo \"### failed $label\"; fi; return $s; }",
            // The time machine is best effort: a build requirement newer than the release (or an index
            // without upload times) must not sink the build, so the project is tried once more without it.
            "try 'project (editable)' -e . || try 'project' . || { [ -n \"${PIP_UPLOADED_PRIOR_TO:-}\" ] && unset PIP_UPLOADED_PRIOR_TO"
                + " && rm -f /forager/resolved-as-of && try 'project (editable, newest dependencies)' -e .; } || { echo '### install failed'; exit 10; }",
        ]
        if !layout.installAttempts.isEmpty {
            lines.append(layout.installAttempts.map { "try \(quote($0.label)) \($0.pipArguments.map(quote).joined(separator: " "))" }.joined(separator: " || ") + " || true")
        }
        if !layout.plugins.isEmpty {
            lines.append("try 'pytest plugins' \(layout.plugins.map(quote).joined(separator: " ")) || true")
        }
        lines += [
            "pip freeze > /forager/freeze.txt 2>/dev/null",
            // Build artefacts stay out of `git status`, so the tree is clean: shipped files the
            // install rewrote (egg-info, a setuptools-scm _version.py) go back to the commit, new
            // files (egg-info, caches) are excluded.
            "git diff --name-only > /forager/restored && git checkout -q -- .",
            "git status --porcelain --untracked-files=all | sed -n 's/^?? //p' >> .git/info/exclude",
            "exit 0",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    static func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
