import CCurl
import ExpenseMail
import Foundation
import NIOPosix

/// One webhook POST over libcurl, the HTTP client this server already links for mail: it can
/// send the connection to the address the policy checked (`CURLOPT_CONNECT_TO`) while still
/// verifying the certificate for the URL's host, which closes the gap between checking a name
/// and connecting to it; it follows no redirect, speaks only HTTP and
/// HTTPS, ignores proxy settings of the environment (a proxy would reach what the check refused),
/// verifies certificates, and is bounded by connect and overall timeouts. `curl_easy_perform`
/// blocks, so each POST runs on a thread pool (the worker's own), never on an event loop.
public struct WebhookHTTP: Sendable {
    public struct Answer: Sendable, Equatable {
        /// The HTTP status; nil when no answer came (refused, reset, timed out, TLS failed).
        public var status: Int?
        /// The first KiB of the body, as text.
        public var excerpt: String
        public var error: String?
    }

    public var connectTimeout = 5
    public var timeout = 10

    public init(timeout: Int = 10) {
        _ = Curl.initialized
        self.timeout = timeout
    }

    /// POSTs `body` to `url`, connecting to the first of `addresses` (those the policy checked)
    /// whatever host name libcurl reads from the URL, on `pool`'s threads.
    public func post(
        url: String, host: String, port: Int, addresses: [String], headers: [(String, String)], body: [UInt8],
        on pool: NIOThreadPool
    ) async -> Answer {
        let connect = connectTimeout
        let timeout = self.timeout
        let address = addresses.first ?? host
        let connectTo = "::" + (address.contains(":") ? "[\(address)]" : address) + ":\(port)"
        do {
            return try await pool.runIfActive {
                Self.perform(
                    url: url, connectTo: connectTo, headers: headers, body: body, connectTimeout: connect,
                    timeout: timeout)
            }
        } catch {
            return Answer(status: nil, excerpt: "", error: "the webhook thread pool is not running")
        }
    }

    static func perform(
        url: String, connectTo: String, headers: [(String, String)], body: [UInt8], connectTimeout: Int, timeout: Int
    ) -> Answer {
        guard let handle = curl_easy_init() else {
            return Answer(status: nil, excerpt: "", error: "curl_easy_init failed")
        }
        defer { curl_easy_cleanup(handle) }
        var headerList: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers + [
            ("Content-Type", "application/json"), ("User-Agent", "ExpenseTracker-Webhooks"),
        ] {
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        // An empty `Expect:` stops libcurl waiting for `100 Continue` on larger bodies.
        headerList = curl_slist_append(headerList, "Expect:")
        defer { curl_slist_free_all(headerList) }
        // `::address:port` sends every connection of this transfer, whatever host and port the
        // URL parses to, to the address checked: no second lookup, so nothing to rebind.
        let connectList = curl_slist_append(nil, connectTo)
        defer { curl_slist_free_all(connectList) }
        let sink = Sink()
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        let text = String(decoding: body, as: UTF8.self)
        let setup = [
            et_curl_setopt_string(handle, CURLOPT_URL, url),
            et_curl_setopt_slist(handle, CURLOPT_CONNECT_TO, connectList),
            et_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"),
            et_curl_setopt_string(handle, CURLOPT_PROXY, ""),
            et_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0),
            et_curl_setopt_long(handle, CURLOPT_POST, 1),
            et_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count),
            et_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, text),
            et_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList),
            et_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1),
            et_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2),
            et_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT, connectTimeout),
            et_curl_setopt_long(handle, CURLOPT_TIMEOUT, timeout),
            et_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1),
            et_curl_setopt_write_function(handle) { buffer, size, count, context in
                guard let buffer, let context else { return 0 }
                return Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue().take(buffer, size * count)
            },
            et_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque()),
            et_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer)),
        ]
        if let failed = setup.first(where: { $0 != CURLE_OK }) {
            return Answer(
                status: nil, excerpt: "",
                error: "libcurl refused an option: \(String(cString: curl_easy_strerror(failed)))")
        }
        let result = withExtendedLifetime(sink) { curl_easy_perform(handle) }
        var code = 0
        _ = et_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &code)
        let excerpt = String(decoding: sink.kept, as: UTF8.self)
        // A long answer is cut off after its first 64 KiB (`Sink`): the status is what counts.
        if result == CURLE_OK || (result == CURLE_WRITE_ERROR && code > 0) {
            return Answer(status: code, excerpt: excerpt, error: nil)
        }
        let detail = String(cString: errorBuffer)
        return Answer(
            status: code > 0 ? code : nil, excerpt: excerpt,
            error: detail.isEmpty ? String(cString: curl_easy_strerror(result)) : detail)
    }

    /// The answer's body as it arrives: the first KiB is kept, and reading stops after 64 KiB.
    final class Sink {
        var kept: [UInt8] = []
        var seen = 0

        func take(_ buffer: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
            seen += count
            if kept.count < 1024 {
                let room = min(count, 1024 - kept.count)
                buffer.withMemoryRebound(to: UInt8.self, capacity: room) {
                    kept.append(contentsOf: UnsafeBufferPointer(start: $0, count: room))
                }
            }
            return seen > 65_536 ? 0 : count
        }
    }
}
