import Foundation

/// Splits Docker's multiplexed stream (non-TTY attach, exec and logs) into frames.
///
/// Each frame is an 8-byte header — stream type (0 stdin, 1 stdout, 2 stderr), three zero bytes, a
/// big-endian UInt32 length — then the payload. Frames may arrive split across reads.
public struct StreamDemuxer: Sendable {
    public enum Stream: UInt8, Sendable { case stdin = 0, stdout = 1, stderr = 2 }

    public struct Frame: Sendable {
        public let stream: Stream
        public let payload: Data
    }

    private var buffer = Data()

    public init() {}

    /// Adds bytes and returns every frame now complete.
    public mutating func push(_ bytes: Data) -> [Frame] {
        buffer.append(bytes)
        var frames: [Frame] = []
        var offset = buffer.startIndex
        while buffer.endIndex - offset >= 8 {
            let type = buffer[offset]
            let length = Int(buffer[offset + 4]) << 24 | Int(buffer[offset + 5]) << 16 | Int(buffer[offset + 6]) << 8 | Int(buffer[offset + 7])
            guard buffer.endIndex - offset - 8 >= length else { break }
            let payload = buffer.subdata(in: (offset + 8)..<(offset + 8 + length))
            frames.append(Frame(stream: Stream(rawValue: type) ?? .stdout, payload: payload))
            offset += 8 + length
        }
        if offset > buffer.startIndex { buffer.removeSubrange(buffer.startIndex..<offset) }
        return frames
    }

    /// Bytes received that do not yet form a whole frame.
    public var pendingByteCount: Int { buffer.count }
}
