import Foundation

/// A broker's username and password, read from a file the config names (`mqtt_credentials`) so
/// that they never show on a command line or in `ps`: the username on the first line, the
/// password on the second (absent or empty: no password).
public struct MQTTCredentials: Sendable, Equatable {
    public var username: String
    public var password: String?

    public init(username: String, password: String?) {
        self.username = username
        self.password = password
    }

    /// Throws one line naming the file and what is wrong with it.
    public init(file path: String, sink: String) throws {
        func fail(_ why: String) -> SinkError { SinkError(sink: sink, message: "the credentials file \(path): \(why)") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw fail("cannot read: \(String(cString: strerror(errno)))")
        }
        defer { try? handle.close() }
        // A credentials file is two short lines; anything large is the wrong file.
        let data = (try? handle.read(upToCount: 64 * 1024)) ?? nil
        guard let data, let text = String(data: data, encoding: .utf8) else {
            throw fail("not UTF-8 text")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
        guard let user = lines.first, !user.isEmpty else {
            throw fail("the first line must be the username")
        }
        let password = lines.count > 1 && !lines[1].isEmpty ? String(lines[1]) : nil
        self.init(username: String(user), password: password)
    }
}
