import Foundation

/// The sweep's view of its running children: a block of one line per running run (its latest
/// progress line, with its ETA), rewritten in place on a terminal and printed every 30 s into a
/// log; events (started, finished, failed) are printed as they happen.
final class JobDisplay {
    private let interactive = isatty(STDOUT_FILENO) != 0
    private var drawnLines = 0
    private var lastBlock = Date.distantPast
    private var lastDrawn: [String] = []

    /// Prints an event line above the block.
    func event(_ line: String) {
        clearBlock()
        Progress.say(line)
    }

    /// Shows `lines` (one per running run) under a summary line.
    func show(_ lines: [String], waiting: Int, done: Int) {
        let block = ["runs: \(lines.count) running, \(waiting) waiting, \(done) ended"] + lines.map { "  " + $0 }
        if interactive {
            // Redrawn at most twice a second, or at once when a run starts or ends.
            guard block != lastDrawn, Date().timeIntervalSince(lastBlock) >= 0.5 || block.count != lastDrawn.count else { return }
            clearBlock()
            lastDrawn = block
            lastBlock = Date()
            guard !lines.isEmpty else { return }
            // Line wrapping off while drawing: a line wider than the terminal is cut, not wrapped,
            // so the block is as many rows as it has lines and can be moved over.
            print("\u{1B}[?7l" + block.joined(separator: "\n") + "\u{1B}[?7h")
            drawnLines = block.count
            fflush(stdout)
        } else if !lines.isEmpty, Date().timeIntervalSince(lastBlock) >= 30 {
            lastBlock = Date()
            for line in block { print(line) }
            fflush(stdout)
        }
    }

    private func clearBlock() {
        guard interactive, drawnLines > 0 else { return }
        print("\u{1B}[\(drawnLines)A\u{1B}[J", terminator: "")  // up over the block, clear to the end of the screen
        drawnLines = 0
        lastDrawn = []
    }
}

/// Command lines for people: words joined by spaces, quoted for a POSIX shell where needed.
public enum ShellCommand {
    static func line(_ words: [String]) -> String { words.map(quoted).joined(separator: " ") }

    /// A `freeze-study` command as recorded with the results and shown in reports: its arguments
    /// quoted, and each absolute path inside the working directory written relative to it (a
    /// sweep hands its runs absolute paths; the record should work from any clone).
    public static func recorded(_ arguments: [String], workingDirectory: String = FileManager.default.currentDirectoryPath) -> String {
        let inside = workingDirectory.hasSuffix("/") ? workingDirectory : workingDirectory + "/"
        return line(["freeze-study"] + arguments.map { $0.hasPrefix(inside) ? String($0.dropFirst(inside.count)) : $0 })
    }

    static func quoted(_ word: String) -> String {
        let plain = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_./+=@:,"))
        return !word.isEmpty && word.unicodeScalars.allSatisfy(plain.contains) ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// `path` relative to the working directory when it lies inside it.
func displayPath(_ url: URL) -> String {
    let cwd = FileManager.default.currentDirectoryPath
    let absolute = url.standardizedFileURL.path
    return absolute.hasPrefix(cwd + "/") ? String(absolute.dropFirst(cwd.count + 1)) : absolute
}
