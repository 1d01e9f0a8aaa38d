/// A string compared and hashed by code points, as Python's `==` and `dict` do (Swift's `String`
/// equality is canonical equivalence, which would merge NFC and NFD spellings).
struct ExactString: Hashable, Sendable {
    let value: String
    init(_ value: String) { self.value = value }
    static func == (l: ExactString, r: ExactString) -> Bool { l.value.utf8.elementsEqual(r.value.utf8) }
    func hash(into hasher: inout Hasher) {
        for byte in value.utf8 { hasher.combine(byte) }
    }
}
