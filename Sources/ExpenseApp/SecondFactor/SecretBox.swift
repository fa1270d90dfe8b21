import Crypto
import Foundation

/// Seals the secrets the server must read back (authenticator and webhook signing secrets) with
/// AES-256-GCM under a key derived from `SECRET_KEY` (HKDF-SHA256), one key per purpose. Each
/// sealed value is bound to its owner's id, so one account's sealed secret copied onto another's
/// row does not open.
public struct SecretBox: Sendable {
    /// What a box seals: each purpose has a key of its own.
    public enum Purpose: String, Sendable {
        case secondFactor = "expense-tracker second factor v1"
        case webhooks = "expense-tracker webhook secrets v1"
    }

    let key: SymmetricKey

    public init(secretKey: String, purpose: Purpose = .secondFactor) {
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(secretKey.utf8)), info: Data(purpose.rawValue.utf8),
            outputByteCount: 32)
    }

    /// The key `SECRET_KEY` names, or, on the embedded store without one, the key file in the
    /// data directory (made once, readable by the server's user only); nil when neither applies.
    public static func make(config: AppConfig, purpose: Purpose = .secondFactor) throws -> SecretBox? {
        if let key = config.secretKey { return SecretBox(secretKey: key, purpose: purpose) }
        guard config.usesEmbeddedDatabase else { return nil }
        let path = keyFile(in: config)
        let manager = FileManager.default
        if let existing = try? String(contentsOfFile: path, encoding: .utf8), existing.count >= 32 {
            return SecretBox(secretKey: existing.trimmingCharacters(in: .whitespacesAndNewlines), purpose: purpose)
        }
        try manager.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        let fresh = Data((0..<32).map { _ in UInt8.random(in: .min ... .max) }).base64EncodedString()
        do {
            try PrivateFile.create(path, contents: Data(fresh.utf8))
        } catch let failure as PrivateFile.Failure where failure.exists {
            // Another process of this data directory made it first: its key is the key, once it
            // has finished writing it (a moment at most).
            for _ in 0..<20 {
                if let existing = try? String(contentsOfFile: path, encoding: .utf8), existing.count >= 32 {
                    return SecretBox(
                        secretKey: existing.trimmingCharacters(in: .whitespacesAndNewlines), purpose: purpose)
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
            // Never replaced: sealed secrets may depend on what it held.
            throw KeyFileUnusable(path: path)
        }
        return SecretBox(secretKey: fresh, purpose: purpose)
    }

    /// A key file that exists but holds no usable key (empty, or cut short by a crash).
    public struct KeyFileUnusable: Error, CustomStringConvertible {
        public var path: String
        public var description: String {
            "\(path) holds no key of 32 or more characters: put back its copy (from the backups' key "
                + "files), or remove it to make a new key (enrolled authenticators then enrol again)"
        }
    }

    /// Where the embedded store keeps its key when `SECRET_KEY` is not set.
    public static func keyFile(in config: AppConfig) -> String {
        (config.dataDirectory as NSString).appendingPathComponent("secret.key")
    }

    public func seal(_ plaintext: String, owner: String) throws -> String {
        let box = try AES.GCM.seal(Data(plaintext.utf8), using: key, authenticating: Data(owner.utf8))
        guard let combined = box.combined else { throw CryptoKitError.incorrectParameterSize }
        return "v1:" + combined.base64EncodedString()
    }

    public func open(_ sealed: String, owner: String) throws -> String {
        guard sealed.hasPrefix("v1:"), let data = Data(base64Encoded: String(sealed.dropFirst(3))) else {
            throw CryptoKitError.incorrectParameterSize
        }
        let plaintext = try AES.GCM.open(
            AES.GCM.SealedBox(combined: data), using: key, authenticating: Data(owner.utf8))
        return String(decoding: plaintext, as: UTF8.self)
    }
}
