import Replay
import Testing
import Trajectories

@Suite struct NormalizationTests {
    @Test(arguments: [
        ("built 2026-11-25T23:01:10.123456789Z ok", "built <TIMESTAMP> ok"),
        ("Wed Nov 25 22:53:26 UTC 2026", "<TIMESTAMP>"),
        ("-rw-r--r-- 1 root root 12 Nov 25 22:53 a.py", "-rw-r--r-- 1 root root 12 <DATE> a.py"),
        ("at 23:01:10 sharp", "at <TIME> sharp"),
        ("epoch 1764111670", "epoch <EPOCH>"),
        ("===== 3 passed in 0.03s =====", "===== 3 passed in <DURATION> ====="),
        ("real\t0m0.004s", "real\t<DURATION>"),
        ("took 12 seconds", "took <DURATION>"),
        ("server pid=4242 started", "server pid=<PID> started"),
        ("[1] 31337", "[<JOB>] <PID>"),
        ("bash: line 1:   77 Killed", "bash: line 1:   <PID> Killed"),
        ("bash: line 3: 77 Killed  sleep 9", "bash: line 3: <PID> Killed  sleep 9"),
        ("/tmp/tmp.Xq3kZ8aB1c/out", "/tmp/tmp.<RANDOM>/out"),
        ("/tmp/tmpk3j_x9ab/x.py", "/tmp/tmp<RANDOM>/x.py"),
        ("/tmp/pytest-of-root/pytest-12/test_a0", "/tmp/pytest-of-<USER>/pytest-<N>/test_a0"),
        ("<Foo object at 0x7f3a2b1c9d40>", "<Foo object at 0x<ADDRESS>>"),
        ("root@3f9c2a1b7e4d:/testbed#", "root@<CONTAINER>:/testbed#"),
        ("id 123e4567-e89b-12d3-a456-426614174000", "id <UUID>"),
        ("<budget>\n* Remaining turns: 125\n* Remaining tokens: 129843\n</budget>",
         "<budget>\n* Remaining turns: 125\n* Remaining tokens: <TOKENS>\n</budget>"),
    ])
    func rule(input: String, expected: String) {
        #expect(VolatileNormalizer.normalize(input) == expected)
    }

    @Test func stableTextIsLeftAlone() {
        let text = "index b92c514..626f13c 100644\n 1 file changed, 4 insertions(+), 5 deletions(-)\n/tmp/fix.patch\nRemaining turns: 126"
        #expect(VolatileNormalizer.normalize(text) == text)
    }

    @Test func comparisonStatuses() {
        #expect(ObservationComparison.compare(index: 0, recorded: "a\nb", replayed: "a\nb").status == .exact)
        #expect(ObservationComparison.compare(index: 0, recorded: nil, replayed: nil).status == .exact)
        let normalized = ObservationComparison.compare(index: 1, recorded: "done in 0.5s", replayed: "done in 0.7s")
        #expect(normalized.status == .normalized && normalized.diff == nil)
        let mismatch = ObservationComparison.compare(index: 2, recorded: "x\ny\nz", replayed: "x\nY\nz")
        #expect(mismatch.status == .mismatch)
        #expect(mismatch.diff == "--- recorded\n+++ replayed\n@@ -1,3 +1,3 @@\n x\n-y\n+Y\n z")
        #expect(ObservationComparison.compare(index: 3, recorded: "out", replayed: nil).status == .mismatch)
    }

    @Test func diffKeepsThreeLinesOfContextAndSplitsDistantHunks() {
        let old = (1...20).map { "line \($0)" }.joined(separator: "\n")
        var lines = (1...20).map { "line \($0)" }
        lines[1] = "changed 2"
        lines[17] = "changed 18"
        let diff = LineDiff.unified(old, lines.joined(separator: "\n"))
        #expect(diff.components(separatedBy: "\n@@").count == 3, "two hunks")
        #expect(diff.contains("@@ -1,5 +1,5 @@\n line 1\n-line 2\n+changed 2\n line 3\n line 4\n line 5\n"))
        #expect(diff.hasSuffix("@@ -15,6 +15,6 @@\n line 15\n line 16\n line 17\n-line 18\n+changed 18\n line 19\n line 20"))
        #expect(LineDiff.unified("same", "same") == "")
    }
}
