import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Files that hold secrets (a key, a database copy with password hashes): created in one step,
/// exclusively and readable by their owner alone, so no existing file is ever replaced and there
/// is no moment in which another user could open one. Foundation's `createFile` writes with the
/// umask's mode first and changes it afterwards, and replaces a file that appeared meanwhile.
enum PrivateFile {
    /// Why a private file was not made.
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var exists: Bool
        var code: Int32

        var description: String {
            exists
                ? "\(path) exists; choose a new file (it is never overwritten)"
                : "could not write \(path): \(String(cString: strerror(code)))"
        }
    }

    /// Creates `path` with mode 0600 holding `contents` (empty by default) and flushes it to
    /// disk; fails when anything already exists there.
    static func create(_ path: String, contents: Data = Data()) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Failure(path: path, exists: errno == EEXIST, code: errno) }
        var failure: Int32 = 0
        contents.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        close(descriptor)
        if failure != 0 {
            unlink(path)
            throw Failure(path: path, exists: false, code: failure)
        }
    }
}
