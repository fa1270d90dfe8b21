import Foundation
import Hummingbird
import Logging

/// The context every request carries through the router.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The id this request is logged under and answered with (`X-Request-ID`).
    public var requestID: String

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = source.logger[metadataKey: "hb.request.id"]?.description ?? ""
    }

    /// Request bodies larger than this are refused with 413 when decoded.
    public var maxUploadSize: Int { 1024 * 1024 }

    /// JSON with sorted keys, so responses are byte-for-byte stable (snapshots, caches, ETags).
    public var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
