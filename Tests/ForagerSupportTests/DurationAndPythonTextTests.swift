import ForagerSupport
import Testing

@Suite struct DurationAndPythonTextTests {
    @Test func durationsInSecondsAndMilliseconds() {
        #expect(Duration.milliseconds(1500).seconds == 1.5)
        #expect(Duration.microseconds(250).milliseconds == 0.25)
    }

    @Test func pythonWhitespaceOverScalarsAndCodePoints() {
        // U+001C..U+001F and U+0085 are whitespace to Python, not U+200B; "\r\n" is two code points.
        #expect(PythonText.strip("\u{1C}\u{85} a\r\n\u{3000}") == "a")
        #expect(PythonText.strip("\u{200B}a") == "\u{200B}a")
        #expect(PythonText.lstrip(" \ta ") == "a " && PythonText.rstrip(" a \n") == " a")
        #expect(PythonText.isBlank("\u{2028}\u{A0}") && !PythonText.isBlank(" x"))
        let points = PythonText.codePoints(" x\u{2009}")
        #expect(PythonText.string(PythonText.strip(points[...])) == "x")
        #expect(PythonText.lines(PythonText.codePoints("a\nb")).map { PythonText.string($0) } == ["a\n", "b"])
        #expect(PythonText.canonicalInteger(PythonText.codePoints("\u{0660}07")[...]) == PythonText.codePoints("7"))
    }
}
