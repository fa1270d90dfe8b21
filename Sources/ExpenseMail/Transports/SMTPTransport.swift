import CCurl
import Foundation
import Logging
import NIOPosix

/// Sends mail over SMTP with libcurl: `smtp://` (STARTTLS required, opportunistic or off) or
/// `smtps://` (implicit TLS), with credentials in the URL, certificate verification always on
/// (optionally against a private CA file), and connect and overall timeouts.
///
/// `curl_easy_perform` blocks, so each send runs on NIO's thread pool, never on an event loop.
/// The server's reply decides the outcome: 2xx delivered; 4xx, timeouts and connection errors
/// retry; other 5xx replies to the envelope or the data reject the message for good. A 530 or
/// 535 (TLS or authentication refused) retries: it is this server's configuration, not the
/// message, that is wrong, and the message must not die of it.
public struct SMTPTransport: MailTransport {
    public enum StartTLS: String, Sendable, CaseIterable {
        case required, opportunistic, off
    }

    public struct Settings: Sendable, Equatable {
        /// `smtp://user:password@host:port` or `smtps://...`.
        public var url: String
        public var startTLS: StartTLS
        /// A PEM file of the certificate authorities to trust instead of the system's.
        public var caFile: String?
        public var connectTimeout: Int
        public var timeout: Int

        public init(
            url: String, startTLS: StartTLS = .required, caFile: String? = nil, connectTimeout: Int = 10,
            timeout: Int = 60
        ) {
            self.url = url
            self.startTLS = startTLS
            self.caFile = caFile
            self.connectTimeout = connectTimeout
            self.timeout = timeout
        }
    }

    let settings: Settings
    let logger: Logger
    let threadPool: NIOThreadPool

    public init(settings: Settings, logger: Logger, threadPool: NIOThreadPool = .singleton) {
        _ = Curl.initialized
        self.settings = settings
        self.logger = logger
        self.threadPool = threadPool
    }

    public func send(_ message: OutgoingMessage) async -> DeliveryOutcome {
        let settings = self.settings
        do {
            return try await threadPool.runIfActive { Self.perform(message, settings: settings) }
        } catch {
            return .retry(reason: "the mail thread pool is not running: \(error)")
        }
    }

    /// One blocking SMTP session for one message.
    static func perform(_ message: OutgoingMessage, settings: Settings) -> DeliveryOutcome {
        guard let handle = curl_easy_init() else { return .retry(reason: "curl_easy_init failed") }
        defer { curl_easy_cleanup(handle) }
        var recipients: UnsafeMutablePointer<curl_slist>?
        for recipient in message.recipients { recipients = curl_slist_append(recipients, "<\(recipient)>") }
        defer { curl_slist_free_all(recipients) }
        let upload = Upload(bytes: Array(message.data))
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }

        let useSSL: curl_usessl =
            switch settings.startTLS {
            case .required: CURLUSESSL_ALL
            case .opportunistic: CURLUSESSL_TRY
            case .off: CURLUSESSL_NONE
            }
        var setup = [
            et_curl_setopt_string(handle, CURLOPT_URL, settings.url),
            et_curl_setopt_string(handle, CURLOPT_MAIL_FROM, "<\(message.sender)>"),
            et_curl_setopt_slist(handle, CURLOPT_MAIL_RCPT, recipients),
            et_curl_setopt_long(handle, CURLOPT_UPLOAD, 1),
            et_curl_setopt_long(handle, CURLOPT_INFILESIZE, Int(message.data.count)),
            et_curl_setopt_read_function(handle) { buffer, size, count, context in
                guard let buffer, let context else { return 0 }
                return Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue().read(into: buffer, max: size * count)
            },
            et_curl_setopt_pointer(handle, CURLOPT_READDATA, Unmanaged.passUnretained(upload).toOpaque()),
            et_curl_setopt_long(handle, CURLOPT_USE_SSL, Int(useSSL.rawValue)),
            et_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1),
            et_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2),
            et_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, settings.connectTimeout),
            et_curl_setopt_long(handle, CURLOPT_TIMEOUT, settings.timeout),
            et_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1),
            et_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer)),
        ]
        if let caFile = settings.caFile { setup.append(et_curl_setopt_string(handle, CURLOPT_CAINFO, caFile)) }
        if let failed = setup.first(where: { $0 != CURLE_OK }) {
            return .retry(reason: "libcurl refused an option: \(String(cString: curl_easy_strerror(failed)))")
        }

        let result = withExtendedLifetime(upload) { curl_easy_perform(handle) }
        if result == CURLE_OK { return .delivered }
        var reply = 0
        _ = et_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &reply)
        let detail = String(cString: errorBuffer)
        let reason = detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail
        return Self.outcome(reply: reply, reason: reason)
    }

    /// What a failed session means, from the last SMTP reply code (0 when there was none).
    static func outcome(reply: Int, reason: String) -> DeliveryOutcome {
        switch reply {
        case 530, 535, 538: .retry(reason: "\(reply) \(reason) (the server refused this configuration)")
        case 500...599: .rejected(reply: "\(reply) \(reason)")
        case 400...499: .retry(reason: "\(reply) \(reason)")
        default: .retry(reason: reason)
        }
    }

    /// The message bytes libcurl reads as it sends (it dot-stuffs them itself).
    final class Upload {
        let bytes: [UInt8]
        var offset = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        func read(into buffer: UnsafeMutablePointer<CChar>, max: Int) -> Int {
            let count = min(max, bytes.count - offset)
            guard count > 0 else { return 0 }
            bytes.withUnsafeBytes { source in
                UnsafeMutableRawBufferPointer(start: buffer, count: count)
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<offset + count]))
            }
            offset += count
            return count
        }
    }
}
