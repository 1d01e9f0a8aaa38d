import Foundation
import GRDB

/// Text bound so that SQLite keeps every byte. GRDB binds a `String` as a C string and reads TEXT
/// back as one, so both cut at the first NUL; text holding a NUL is therefore stored as its UTF-8
/// bytes (a BLOB), which reads back (`String.fromDatabaseValue`) as the very same string.
func exactText(_ text: String?) -> (any DatabaseValueConvertible)? {
    guard let text else { return nil }
    return text.utf8.contains(0) ? Data(text.utf8) : text
}
